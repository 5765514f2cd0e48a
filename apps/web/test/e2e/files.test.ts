import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeContactLink,
  findAttachment,
  messageText,
  toHex,
  type MessageId,
  type RoomId,
} from '@kith/core';
import type { KithNode } from '@kith/node';
import { seriousViolations } from './axe.ts';
import { article, WebWorld } from './web-world.ts';

/**
 * Files in the web messenger: Alice in Chromium and Bob on a KithNode, through a relay. Bob's
 * files show as an image or a download card, whatever he claims about them; Alice's files
 * reach Bob byte for byte, picked, pasted or dropped.
 */

let world: WebWorld;
let bob: KithNode;
let page: Page;
let roomId: RoomId;
const pageErrors: string[] = [];

beforeAll(async () => {
  // Chromium's fake microphone (a beep) for voice messages.
  world = await WebWorld.start('files', [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
  ]);
  bob = world.bob;
  page = await (await world.browser.newContext({ acceptDownloads: true })).newPage();
  page.setDefaultTimeout(20_000);
  // Every media stream the page gets, kept to see it is released.
  await page.addInitScript(() => {
    const streams: MediaStream[] = [];
    (window as unknown as { __streams: MediaStream[] }).__streams = streams;
    const get = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await get(constraints);
      streams.push(stream);
      return stream;
    };
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${world.server.url}?relay=${encodeURIComponent(world.relayWs)}`);
  await page.getByLabel('Your name').fill('Alice');
  await page.getByRole('button', { name: 'Start' }).click();
  const link = await page
    .getByRole('textbox', { name: 'Your contact link', exact: true })
    .inputValue();
  await bob.addContact(link);
  roomId = await bob.createRoom({ name: 'files', members: [decodeContactLink(link).userId] });
  await page.getByRole('button', { name: /^files/ }).click();
});

afterAll(() => world.close());

/** A real PNG, `size` pixels square, of one grey. */
function png(size: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows = Buffer.alloc(size * (size + 1), 0x80);
  for (let y = 0; y < size; y++) rows[y * (size + 1)] = 0; // filter byte: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** The bytes of a file Bob received in `messageId`, fetched from Alice's page. */
async function bobFetches(messageId: MessageId): Promise<Uint8Array> {
  await bob.blobs.download(roomId, messageId).done;
  const opened = await bob.blobs.open(roomId, messageId);
  const parts: Uint8Array[] = [];
  for await (const chunk of opened.chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Bob's message carrying the file named `filename`. */
function bobsFile(filename: string) {
  return world.bobSees(`the file ${filename}`, () =>
    bob.client.timeline(roomId).find((m) => {
      try {
        return findAttachment(m.content)?.filename === filename;
      } catch {
        return false;
      }
    }),
  );
}

describe('files in the web messenger', () => {
  it('shows an image inline from decrypted bytes, and a file as a card to download', async () => {
    const image = png(24);
    await bob.blobs.sendFile(roomId, image, {
      contentType: 'image/png',
      filename: 'grey.png',
      caption: 'a **grey** square',
    });
    const img = article(page, 'grey square').getByRole('img', { name: 'grey.png' });
    await img.waitFor();
    // Decoded: the CSP let the blob: URL in, and the bytes are the PNG's.
    await expect
      .poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth), { timeout: 10_000 })
      .toBe(24);
    expect(await img.getAttribute('src')).toMatch(/^blob:/);
    expect(await article(page, 'grey square').locator('strong').textContent()).toBe('grey');

    const report = new TextEncoder().encode('%PDF-1.7 not really a report');
    await bob.blobs.sendFile(roomId, report, {
      contentType: 'application/pdf',
      filename: 'report.pdf',
    });
    const card = page.getByRole('group', { name: 'File report.pdf' });
    await card.getByText('application/pdf · 28 B').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('report.pdf');
    const saved = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of saved) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('%PDF-1.7 not really a report');
  });

  it('never renders a lying file as markup, and shows its name as text', async () => {
    // HTML and SVG declared as images, under names with markup and a path.
    const lies = [
      {
        name: '<img src=x onerror="window.__pwned=1">.png',
        type: 'image/png',
        bytes: '<html><body><script>window.__pwned=2</script></body></html>',
      },
      {
        name: '../../evil"><svg onload="window.__pwned=3">.svg',
        type: 'image/svg+xml',
        bytes: '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=4"/>',
      },
    ];
    for (const lie of lies) {
      await bob.blobs.sendFile(roomId, new TextEncoder().encode(lie.bytes), {
        contentType: lie.type,
        filename: lie.name,
      });
    }
    await bob.client.send(roomId, 'after the lies');
    await article(page, 'after the lies').waitFor();
    const timeline = page.getByRole('log', { name: 'Messages' });
    for (const lie of lies) {
      const card = timeline.getByRole('group', { name: `File ${lie.name}` });
      // Its name is text; the file is fetched (it claims to be an image) and found not one.
      await card.getByText(lie.name, { exact: true }).waitFor();
      await card.getByRole('link', { name: `Save ${lie.name}` }).waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        card.getByRole('link', { name: `Save ${lie.name}` }).click(),
      ]);
      expect(download.suggestedFilename()).not.toMatch(/[/\\<>"]/);
      // The page's own name for it, not only Chromium's cleaning.
      const name = await card
        .getByRole('link', { name: `Save ${lie.name}` })
        .getAttribute('download');
      expect(name).not.toMatch(/[/\\<>"]/);
    }
    // Neither became an image or any element, and nothing ran.
    for (const lie of lies) {
      expect(await article(page, lie.name).locator('img').count()).toBe(0);
    }
    expect(await timeline.locator('svg, iframe, object, embed, script, [onerror]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('sends a picked, a pasted and a dropped file, each to Bob byte for byte', async () => {
    const composer = page.getByRole('textbox', { name: 'Message' });
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Attach file' }).click(),
    ]);
    const picked = Buffer.from('picked bytes \u00e9\n'.repeat(1000));
    await chooser.setFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: picked });
    await page.getByText('File to send: notes.txt').waitFor();
    await composer.fill('my _notes_');
    await composer.press('Enter');
    const notes = await bobsFile('notes.txt');
    expect(messageText(notes.content)).toBe('my _notes_');
    expect(Buffer.from(await bobFetches(notes.messageId)).equals(picked)).toBe(true);
    // Her page shows her own file from her own store.
    await page.getByRole('group', { name: 'File notes.txt' }).waitFor();

    // Pasted into the composer, then dropped on the room.
    await composer.evaluate((field) => {
      const data = new DataTransfer();
      data.items.add(new File(['pasted'], 'pasted.bin', { type: 'application/octet-stream' }));
      field.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    });
    await page.getByRole('button', { name: 'Send' }).click();
    const pasted = await bobsFile('pasted.bin');
    expect(new TextDecoder().decode(await bobFetches(pasted.messageId))).toBe('pasted');
    await page.getByRole('log', { name: 'Messages' }).evaluate((log) => {
      const data = new DataTransfer();
      data.items.add(new File(['dropped'], 'dropped.txt', { type: 'text/plain' }));
      for (const type of ['dragover', 'drop']) {
        log.dispatchEvent(
          new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
        );
      }
    });
    await page.getByText('File to send: dropped.txt').waitFor();
    await composer.press('Enter');
    const dropped = await bobsFile('dropped.txt');
    expect(new TextDecoder().decode(await bobFetches(dropped.messageId))).toBe('dropped');
    expect(toHex(dropped.messageId)).not.toBe(toHex(pasted.messageId));
    expect(pageErrors).toEqual([]);
  });

  it('records a voice message that reaches Bob as WebM Opus and plays on her page', async () => {
    await page.getByRole('button', { name: 'Record voice message' }).click();
    // A second of the fake microphone's beep, told by the page's own clock.
    await page.getByRole('status').getByText('Recording… 1 s').waitFor();
    await page.getByRole('button', { name: 'Send voice message' }).click();
    const voice = await bobsFile('voice-message.webm');
    expect(findAttachment(voice.content)?.contentType).toBe('audio/webm');
    const bytes = await bobFetches(voice.messageId);
    expect([...bytes.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(bytes.length).toBeGreaterThan(1000);
    // Her page plays it from her store (the CSP lets the blob: URL in as media).
    const audio = page.getByLabel(/^Voice message, /);
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await audio.getAttribute('src')).toMatch(/^blob:/);
    // The microphone is released.
    expect(
      await page.evaluate(() =>
        (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) =>
          s.getTracks().map((t) => `${t.kind} ${t.readyState}`),
        ),
      ),
    ).toEqual(['audio ended']);

    // The room with images, file cards, a player and the composer's buttons: no serious
    // accessibility violations.
    expect(await seriousViolations(page)).toEqual([]);

    // At 360 px wide the room with its files and the composer's buttons fits: nothing scrolls
    // sideways.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    const dir = process.env['KITH_WEB_SCREENSHOTS'];
    if (dir !== undefined) await page.screenshot({ path: `${dir}/web-files-mobile.png` });
    expect(pageErrors).toEqual([]);
  });

  it('lets two people in two browsers chat and share a file, browser to browser', async () => {
    await page.setViewportSize({ width: 1100, height: 720 });
    const carol = await (await world.browser.newContext()).newPage();
    carol.setDefaultTimeout(20_000);
    await carol.goto(`${world.server.url}?relay=${encodeURIComponent(world.relayWs)}`);
    await carol.getByLabel('Your name').fill('Carol');
    await carol.getByRole('button', { name: 'Start' }).click();
    const carolLink = await carol
      .getByRole('textbox', { name: 'Your contact link', exact: true })
      .inputValue();
    // Alice adds Carol by her link and starts a conversation with her.
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await page.getByRole('textbox', { name: 'Their contact link' }).fill(carolLink);
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByText('Added Carol.').waitFor();
    await page.getByRole('button', { name: 'Message Carol' }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('hi Carol, a file for you');
    await composer.press('Enter');
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Attach file' }).click(),
    ]);
    await chooser.setFiles({
      name: 'plan.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('the plan'),
    });
    await composer.press('Enter');

    // Carol sees the DM, the message and the file, and saves it from Alice's browser.
    await carol.getByRole('button', { name: /^Alice/ }).click();
    await article(carol, 'hi Carol').waitFor();
    const card = carol.getByRole('group', { name: 'File plan.txt' });
    const [download] = await Promise.all([
      carol.waitForEvent('download'),
      card.getByRole('button', { name: 'Download' }).click(),
    ]);
    const chunks: Buffer[] = [];
    for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('the plan');
    // And answers.
    await carol.getByRole('textbox', { name: 'Message' }).fill('got it');
    await carol.getByRole('textbox', { name: 'Message' }).press('Enter');
    await article(page, 'got it').waitFor();
  });
});
