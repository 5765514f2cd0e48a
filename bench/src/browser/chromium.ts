import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bundle } from './build.ts';

/** Debian's Chromium headless shell, as the browser tests use it: nothing downloads a browser. */
const CHROMIUM = '/usr/lib/chromium/chromium-headless-shell';

/**
 * Chromium with a page of benchmark code: `entry` bundled by Vite as an app ships it, served
 * from 127.0.0.1 (a secure context: WebCrypto, IndexedDB, Web Locks), opened in fresh tabs.
 */
export class BenchBrowser {
  readonly #browser: Browser;
  /** One context: its tabs share the origin's storage (IndexedDB), as a user's tabs do. */
  readonly #context: BrowserContext;
  readonly #server: Server;
  readonly url: string;

  private constructor(browser: Browser, context: BrowserContext, server: Server, url: string) {
    this.#browser = browser;
    this.#context = context;
    this.#server = server;
    this.url = url;
  }

  /** `readable`: not minified, for CPU profiles with function names. */
  static async start(entry: string, readable = false): Promise<BenchBrowser> {
    const built = await bundle({ bench: entry }, !readable);
    const files = new Map(built.files);
    files.set(
      'index.html',
      new TextEncoder().encode(
        '<!doctype html><meta charset="utf-8"><title>kith bench</title><script type="module" src="/bench.js"></script>',
      ),
    );
    const server = createServer((request, response) => {
      const asked = (request.url ?? '/').split('?')[0]?.slice(1) ?? '';
      const path = asked === '' ? 'index.html' : asked;
      const body = files.get(path);
      if (body === undefined) {
        response.writeHead(404).end();
        return;
      }
      const type = path.endsWith('.html') ? 'text/html' : 'text/javascript';
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext();
    return new BenchBrowser(browser, context, server, `http://127.0.0.1:${port}/`);
  }

  /** A new tab on the benchmark page, once its script has loaded (`window.kithBench` set). */
  async open(): Promise<Page> {
    const page = await this.#context.newPage();
    page.on('pageerror', (error) => {
      console.error(`page error: ${error.message}`);
    });
    await page.goto(this.url);
    await page.waitForFunction(() => 'kithBench' in globalThis);
    return page;
  }

  async stop(): Promise<void> {
    await this.#browser.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
