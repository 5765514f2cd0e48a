import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { KithEventType } from '@kith/core';
import { KithNode } from '@kith/node';
import { RelayProcess } from '@kith/relay/process';
import { buildWebApp } from '../../server/build.ts';
import { startWebServer, type WebServer } from '@kith/relay/web-server';

/** Debian's Chromium (`.ci/run` installs it); the project is left out without it. */
const CHROMIUM = '/usr/lib/chromium/chromium-headless-shell';

/** How long a wait for Bob's device lasts (the page's waits have the same bound). */
const WAIT_MS = 20_000;

/**
 * What the web e2e tests share: the real build served as any web server would, a real relay
 * process, Chromium, and Bob on a KithNode using that relay. `close` undoes whatever of it was
 * started, last first.
 */
export class WebWorld {
  readonly work: string;
  readonly server: WebServer;
  /** The relay's WebSockets address, for the page and for Bob. */
  readonly relayWs: string;
  readonly browser: Browser;
  readonly bob: KithNode;
  readonly #cleanups: (() => Promise<unknown>)[];

  private constructor(
    parts: Omit<WebWorld, 'close' | 'bobSees' | 'launchBrowser'>,
    cleanups: (() => Promise<unknown>)[],
  ) {
    this.work = parts.work;
    this.server = parts.server;
    this.relayWs = parts.relayWs;
    this.browser = parts.browser;
    this.bob = parts.bob;
    this.#cleanups = cleanups;
  }

  /** `browserArgs`: more Chromium flags (a fake microphone, say). */
  static async start(name: string, browserArgs: readonly string[] = []): Promise<WebWorld> {
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const work = await mkdtemp(join(tmpdir(), `kith-web-${name}-`));
      cleanups.push(() => rm(work, { recursive: true, force: true }));
      const [dist, relay] = await Promise.all([
        buildWebApp(join(work, 'dist')),
        RelayProcess.start(),
      ]);
      cleanups.push(() => relay.remove());
      const relayWs = relay.multiaddrs.find((a) => a.includes('/ws/')) ?? '';
      // Served with the relay's CSP and headers, as `kith-relay --web` serves it to people.
      const server = await startWebServer({
        root: dist,
        address: { host: '127.0.0.1', port: 0 },
        multiaddrs: () => [relayWs],
      });
      cleanups.push(() => server.close());
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', ...browserArgs],
      });
      cleanups.push(() => browser.close());
      const bob = await KithNode.open({
        dataDir: join(work, 'bob'),
        deviceName: 'node',
        listen: ['/ip4/127.0.0.1/tcp/0'],
        mdns: false,
        relays: [relayWs],
        tickMs: 500,
        mailboxPollMs: 2000,
      });
      cleanups.push(() => bob.close());
      await bob.client.setProfile({ displayName: 'Bob' });
      return new WebWorld({ work, server, relayWs, browser, bob }, cleanups);
    } catch (error) {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      throw error;
    }
  }

  /** Another Chromium, with `args` (a fake camera, say); closed with the world. */
  async launchBrowser(args: readonly string[]): Promise<Browser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', ...args],
    });
    this.#cleanups.push(() => browser.close());
    return browser;
  }

  async close(): Promise<void> {
    for (const cleanup of this.#cleanups.reverse()) await cleanup();
  }

  /**
   * Resolves with what `check` finds, checked now and on each of Bob's engine events of
   * `types`; fails saying what it waited for after 20 s.
   */
  bobSees<T>(
    what: string,
    check: () => T | undefined,
    types: readonly KithEventType[] = ['timeline', 'joined', 'membership', 'room', 'receipts'],
  ): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const offs = types.map((type) =>
        this.bob.client.on(type, () => {
          const value = check();
          if (value === undefined) return;
          done();
          resolve(value);
        }),
      );
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Bob did not see ${what} within 20 s`));
      }, WAIT_MS);
      function done(): void {
        clearTimeout(timer);
        for (const off of offs) off();
      }
    });
  }
}

/** The message of the page's timeline that holds `text`. */
export function article(page: Page, text: string) {
  return page.getByRole('article').filter({ hasText: text });
}
