import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayProcess } from '@kith/relay/process';
import { buildWebApp } from '../../server/build.ts';

/** `kith-relay --web DIR`: the relay process serves the real build, and the page uses it. */

const CHROMIUM = '/usr/lib/chromium/chromium-headless-shell';

let work: string;
let dist: string;
let relay: RelayProcess;
let pageUrl: string;
let browser: Browser;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kith-relay-web-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  dist = await buildWebApp(join(work, 'dist'));
  // Bait outside the build, and ways toward it from inside: a symbolic link and a dot file.
  await writeFile(join(work, 'secret.txt'), 'SECRET');
  await symlink(join(work, 'secret.txt'), join(dist, 'leak.txt'));
  await mkdir(join(dist, '.git'));
  await writeFile(join(dist, '.git', 'config'), 'SECRET');
  relay = await RelayProcess.start({ args: ['--web', dist, '--web-listen', '127.0.0.1:0'] });
  cleanups.push(() => relay.remove());
  pageUrl = String(relay.log('serving the web app')?.['url']);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  cleanups.push(() => browser.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(pageUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('kith-relay --web', () => {
  it('serves the build with its types and a strict CSP, and nothing outside it', async () => {
    const page = await fetch(pageUrl);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // Decrypted files are shown from object URLs: images and voice messages, nothing else.
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain('media-src blob:');
    expect(csp.match(/blob:/g)).toHaveLength(2);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    const style = /href="\.\/(assets\/[^"]+\.css)"/.exec(html)?.[1] ?? '';
    expect((await rawGet(`/${script}`)).type).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(`/${style}`)).type).toBe('text/css; charset=utf-8');
    expect((await rawGet('/manifest.webmanifest')).type).toBe('application/manifest+json');
    expect((await rawGet('/icon.svg')).type).toBe('image/svg+xml');
    // An app route is the page; a missing file is not.
    expect((await rawGet('/rooms/abc')).type).toBe('text/html; charset=utf-8');
    expect((await rawGet('/missing.js')).status).toBe(404);

    // The relay's own addresses, for the page's default.
    const relays = JSON.parse((await rawGet('/kith-relays.json')).body) as { relays: string[] };
    expect(relays.relays).toEqual(relay.multiaddrs.filter((a) => a.includes('/ws')));

    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/leak.txt',
      '/.git/config',
      '/%00/secret.txt',
    ]) {
      const answer = await rawGet(path);
      expect(answer.body, path).not.toContain('SECRET');
    }
    expect((await rawGet('/leak.txt')).status).toBe(404);
    const post = await fetch(pageUrl, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('is a page that onboards onto the relay that served it, with no third-party requests', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused/i.test(m.text())) problems.push(m.text());
    });
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await page.goto(pageUrl);
    const relayField = page.getByLabel('Relay addresses (one per line)');
    await expect.poll(() => relayField.inputValue()).toContain(`/p2p/${relay.peerId}`);
    await page.getByLabel('Your name').fill('Carol');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByRole('status', { name: 'Connection' })
      .filter({ hasText: 'Online through 1 of 1 relay' })
      .waitFor();
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([new URL(pageUrl).origin]);
  });
});
