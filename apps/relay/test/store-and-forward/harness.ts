import { createServer } from 'node:net';
import { RelayProcess } from '../process/relay-process.ts';

export {
  DeviceHandle,
  removeAll,
  startDevices,
} from '../../../../packages/node/test/process/device-handle.ts';

/** A free loopback TCP port, so a restarted relay comes back where devices expect it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** A relay on a fixed loopback port (restartable in place), and its address for devices. */
export async function startRelayAt(
  port: number,
  options: { dataDir?: string; args?: readonly string[] } = {},
): Promise<{ relay: RelayProcess; address: string }> {
  const relay = await RelayProcess.start({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    args: ['--listen', `/ip4/127.0.0.1/tcp/${port}`, ...(options.args ?? [])],
  });
  return { relay, address: `/ip4/127.0.0.1/tcp/${port}/p2p/${relay.peerId}` };
}
