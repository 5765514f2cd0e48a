import { KithApp } from '../app/kith-app.ts';
import { removePort, writePort, writeToken } from './credentials.ts';
import { startRpcServer, type RpcServer } from './rpc-server.ts';

export interface DaemonOptions {
  readonly dataDir: string;
  readonly rpcPort: number;
  readonly listen?: readonly string[];
  readonly relays?: readonly string[];
  readonly name?: string;
  readonly mdns: boolean;
  readonly log: (line: string) => void;
}

/** Runs a device without a screen until SIGINT or SIGTERM, serving JSON-RPC on loopback. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const app = await KithApp.open({
    dataDir: options.dataDir,
    mdns: options.mdns,
    ...(options.name === undefined ? {} : { displayName: options.name }),
    ...(options.listen === undefined ? {} : { listen: options.listen }),
    ...(options.relays === undefined ? {} : { relays: options.relays }),
    onError: (error) => {
      options.log(`warning: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  const server = await openRpcDoor(app, options.dataDir, options.rpcPort).catch(
    async (error: unknown) => {
      await app.close();
      throw error;
    },
  );
  const me = app.whoami();
  options.log(`kith daemon: user ${me.userId}, device ${me.deviceId}`);
  options.log(
    `JSON-RPC on http://127.0.0.1:${server.port}/ (token in ${options.dataDir}/rpc-token)`,
  );
  for (const a of me.addresses) options.log(`listening on ${a}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  options.log('stopping');
  await server.close();
  await app.close();
}

/**
 * Serves the device's JSON-RPC on loopback and tells shells where (DIR/rpc-port, with a new
 * token in DIR/rpc-token): the daemon and the chat both do, so `kith METHOD` reaches whichever
 * process owns the data directory. Closing stops it and removes the port file.
 */
export async function openRpcDoor(app: KithApp, dataDir: string, port: number): Promise<RpcServer> {
  const token = await writeToken(dataDir);
  const server = await startRpcServer(app, port, token);
  await writePort(dataDir, server.port);
  return {
    port: server.port,
    close: async () => {
      await server.close();
      await removePort(dataDir);
    },
  };
}
