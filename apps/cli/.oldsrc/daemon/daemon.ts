import { KithApp } from '../app/kith-app.ts';
import { removePort, writePort, writeToken } from './credentials.ts';
import { startRpcServer } from './rpc-server.ts';

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
  const token = await writeToken(options.dataDir);
  const server = await startRpcServer(app, options.rpcPort, token).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  await writePort(options.dataDir, server.port);
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
  await removePort(options.dataDir);
  await app.close();
}
