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

  it('says connecting until a relay answers, follows it going away and back, and counts only what waits', async () => {
    // The relay's address is known before it runs: the chat starts with nobody there.
    const port = await freePort();
    const listen = ['--listen', `/ip4/127.0.0.1/tcp/${port}`];
    const first = await RelayProcess.start({ args: listen });
    const relayDir = first.dataDir;
    const address = `/ip4/127.0.0.1/tcp/${port}/p2p/${first.peerId}`;
    await first.stop();
    cleanup.push(() => rm(relayDir, { recursive: true, force: true }));
    const dir = await mkdtemp(join(tmpdir(), 'kith-tui-status-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const chat = PtyChat.start({
      args: ['--data-dir', dir, '--name', 'eve', '--no-mdns', '--relay', address],
    });
    cleanup.push(() => {
      chat.dispose();
      return Promise.resolve();
    });
    const status = (): string => chat.rows().at(-3) ?? '';
    const notice = (): string => chat.rows().at(-2)?.trim() ?? '';
    await chat.waitFor('the chat', () => status().includes(' eve · '));
    expect(status()).toMatch(/connecting to 1 relay…|relay offline, retry in \d+ s/);
    // Sent while nothing is reachable: counted as not sent, and never called online.
    chat.type('/new notes\r');
    await chat.waitForText('kith · notes');
    chat.type('nobody hears this yet\r');
    await chat.waitFor('the unsent count', () => /\d+ not sent \(offline\)/.test(status()));
    expect(status()).not.toContain('online');

    let relay = await RelayProcess.start({ dataDir: relayDir, args: listen });
    cleanup.push(() => relay.stop());
    const notices: string[] = [];
    await chat.waitFor('online', () => {
      notices.push(notice());
      return status().includes('online via 1 relay');
    });
    // Once the relay holds it, nothing is "not sent", and no network error was left on screen.
    await chat.waitFor('the backlog sent', () => !status().includes('not sent'));
    expect(notice()).toBe('');

    await relay.stop();
    await chat.waitForText(/relay offline, retry in \d+ s|connecting to 1 relay…/);
    chat.type('said while the relay is down\r');
    await chat.waitFor('the unsent count', () => /\d+ not sent \(offline\)/.test(status()));
    relay = await RelayProcess.start({ dataDir: relayDir, args: listen });
    await chat.waitForText('online via 1 relay');
    await chat.waitFor('the backlog sent', () => !status().includes('not sent'));
    expect(notice()).toBe('');
    // The relay going away is the status line's news, never an error notice.
    expect(notices.filter((n) => n !== '' && !n.startsWith('created'))).toEqual([]);
  });
});
