import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageText, type RoomId, type TimelineMessage } from '@kith/core';
import { KithNode } from '@kith/node';
import { RelayProcess } from '@kith/relay/process';

/** Debian's Chromium headless shell, as in the browser test projects (vitest.config.ts). */
const CHROMIUM = '/usr/lib/chromium/chromium-headless-shell';
const RUN = existsSync(CHROMIUM) || process.env['KITH_REQUIRE_BROWSER'] !== undefined;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let relay: RelayProcess | undefined;
let server: PreviewServer | undefined;
let browser: Browser | undefined;
let node: KithNode | undefined;
const dirs: string[] = [];

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kith-page-${label}-`));
  dirs.push(dir);
  return dir;
}

/** Resolves with the first message of `roomId` for which `accept` holds, now or later. */
function messageWhere(
  device: KithNode,
  roomId: RoomId,
  accept: (m: TimelineMessage) => boolean,
): Promise<TimelineMessage> {
  const find = (): TimelineMessage | undefined => device.client.timeline(roomId).find(accept);
  const now = find();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = device.client.on('timeline', () => {
      const found = find();
      if (found === undefined) return;
      off();
      resolve(found);
    });
  });
}

beforeAll(async () => {
  if (!RUN) return;
  relay = await RelayProcess.start();
  // Built as its developer would ship it, and served from 127.0.0.1 (a secure context).
  const outDir = await tempDir('dist');
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  server = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  node = await KithNode.open({
    dataDir: await tempDir('node'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    relays: [relay.tcpAddress],
  });
  // A relay, a Vite build, Chromium and a device, one after another: on a busy 2-core machine
  // this can outlast one hook's usual limit.
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  await server?.close();
  await relay?.remove();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The page, opened with the relay's WebSocket address. */
async function openPage(): Promise<Page> {
  const address = server?.httpServer.address() as AddressInfo;
  const ws = relay?.multiaddrs.find((a) => a.includes('/ws/'));
  if (browser === undefined || ws === undefined) throw new Error('not set up');
  const page = await browser.newPage();
  // Longer than Playwright's 30 s default (a busy machine), shorter than the test's 90 s limit
  // so that a wait that fails names what it waited for.
  page.setDefaultTimeout(80_000);
  await page.goto(`http://127.0.0.1:${address.port}/?relay=${encodeURIComponent(ws)}`);
  return page;
}

describe.skipIf(!RUN)('examples/browser-page, built with Vite, in Chromium', () => {
  it('shows a contact link, joins the room a KithNode invites it to, and talks both ways', async () => {
    const page = await openPage();
    await page.getByText('Ready: reachable through the relay.').waitFor();
    const link = await page.locator('#link').inputValue();
    const device = node;
    if (device === undefined) throw new Error('not set up');

    const contact = await device.addContact(link);
    expect(contact.userId).toBe(await page.evaluate(() => document.body.dataset['userId']));
    const roomId = await device.createRoom({ name: 'page and node', members: [contact.userId] });
    await page.locator('#room', { hasText: 'page and node' }).waitFor();

    // Node -> page: shown in the list.
    await device.client.send(roomId, 'hello page');
    await page.locator('#messages li', { hasText: 'hello page' }).waitFor();

    // Page -> node: typed and sent with Enter.
    await page.locator('#text').fill('hello node');
    await page.locator('#text').press('Enter');
    const got = await messageWhere(device, roomId, (m) => messageText(m.content) === 'hello node');
    expect(got.sender).toBe(contact.userId);
    await page.close();
  });
});
