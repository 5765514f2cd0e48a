import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess } from '@kith/relay/process';
import { afterAll, describe, it } from 'vitest';
import { PtyChat } from './pty-chat.ts';

/** A loopback port free now, so a relay restarted on it comes back where the chat dials. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

describe('the status line', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('follows a real relay going away and coming back', async () => {
    const port = await freePort();
    const listen = ['--listen', `/ip4/127.0.0.1/tcp/${port}`];
    let relay = await RelayProcess.start({ args: listen });
    const relayDir = relay.dataDir;
    cleanup.push(() => rm(relayDir, { recursive: true, force: true }));
    cleanup.push(() => relay.stop());
    const dir = await mkdtemp(join(tmpdir(), 'kith-tui-status-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const address = `/ip4/127.0.0.1/tcp/${port}/p2p/${relay.peerId}`;
    const chat = PtyChat.start({
      args: ['--data-dir', dir, '--name', 'eve', '--no-mdns', '--relay', address],
    });
    cleanup.push(() => {
      chat.dispose();
      return Promise.resolve();
    });
    await chat.waitForText('online via 1 relay');

    await relay.stop();
    await chat.waitForText(/relay offline, retry in \d+ s|connecting to 1 relay…/);

    relay = await RelayProcess.start({ dataDir: relayDir, args: listen });
    await chat.waitForText('online via 1 relay');
  });
});
