import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess } from '@kith/relay/process';
import { afterAll, describe, expect, it } from 'vitest';
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
    chat.type('/new notes\r');
    await chat.waitForText('kith · notes');
    chat.type('said while the relay is down\r');
    await chat.waitForText(/not sent/);

    relay = await RelayProcess.start({ dataDir: relayDir, args: listen });
    await chat.waitForText('online via 1 relay');
    // What waited for the relay went to it: nothing is left "not sent".
    await chat.waitFor('the backlog sent', () => !chat.screen().includes('not sent'));
  });

  it('says connecting, never online, until a relay answers; then clears what went wrong', async () => {
    // The relay's address is known before it runs: the chat starts with nobody there.
    const port = await freePort();
    const listen = ['--listen', `/ip4/127.0.0.1/tcp/${port}`];
    const dir = await mkdtemp(join(tmpdir(), 'kith-tui-status-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const first = await RelayProcess.start({ args: listen });
    const relayDir = first.dataDir;
    const peerId = first.peerId;
    await first.stop();
    cleanup.push(() => rm(relayDir, { recursive: true, force: true }));
    const address = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`;
    const chat = PtyChat.start({
      args: ['--data-dir', dir, '--name', 'fred', '--no-mdns', '--relay', address],
    });
    cleanup.push(() => {
      chat.dispose();
      return Promise.resolve();
    });
    const status = (): string => chat.rows().at(-3) ?? '';
    const notice = (): string => chat.rows().at(-2)?.trim() ?? '';
    await chat.waitFor('the chat', () => / fred · /.test(status()));
    await chat.waitFor('connecting, then waiting to retry', () =>
      /relay offline, retry in \d+ s/.test(status()),
    );
    expect(status()).toMatch(/connecting to 1 relay…|relay offline, retry in \d+ s/);
    expect(status()).not.toContain('online');
    // Sent while nothing is reachable: counted as not sent, said on the status line.
    chat.type('/new notes\r');
    await chat.waitForText('kith · notes');
    chat.type('nobody hears this yet\r');
    await chat.waitFor('the unsent count', () => /\d+ not sent \(offline\)/.test(status()));
    const shown: string[] = [];
    const relay = await RelayProcess.start({ dataDir: relayDir, args: listen });
    cleanup.push(() => relay.stop());
    await chat.waitFor('online', () => {
      shown.push(notice());
      return status().includes('online via 1 relay');
    });
    // Once the relay holds it, nothing is "not sent", and no stale warning stays.
    await chat.waitFor('the unsent count gone', () => !status().includes('not sent'));
    expect(notice()).toBe('');
    expect(shown.join('\n')).not.toMatch(/^kith:/m);
  });
});
