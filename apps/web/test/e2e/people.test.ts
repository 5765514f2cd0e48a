import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeContactLink, messageText, safetyNumber, type RoomId } from '@kith/core';
import type { KithNode } from '@kith/node';
import type { WebServer } from '@kith/relay/web-server';
import { join } from 'node:path';
import { writeQrVideo } from './fake-camera.ts';
import { article, WebWorld } from './web-world.ts';

/**
 * Alice in Chromium and Bob on a KithNode, through a relay process: she verifies him by safety
 * number, catches up from the relay after her page was closed, and is removed from a room.
 */

let world: WebWorld;
let server: WebServer;
let relayWs: string;
let browser: Browser;
let bob: KithNode;

beforeAll(async () => {
  world = await WebWorld.start('people');
  ({ server, relayWs, browser, bob } = world);
});

afterAll(() => world.close());

function bobSees<T>(what: string, check: () => T | undefined): Promise<T> {
  return world.bobSees(what, check);
}

async function online(page: Page): Promise<void> {
  await page
    .getByRole('status', { name: 'Connection' })
    .filter({ hasText: 'Online through 1 of 1 relay' })
    .waitFor();
}

describe('people in the web messenger', () => {
  let context: BrowserContext;
  let page: Page;
  let alice: ReturnType<typeof decodeContactLink>;

  it('verifies a contact by safety number, and catches up after the page was closed', async () => {
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.url}?relay=${encodeURIComponent(relayWs)}`);
    await page.getByLabel('Your name').fill('Alice');
    await page.getByRole('button', { name: 'Start' }).click();
    await online(page);
    const link = await page
      .getByRole('textbox', { name: 'Your contact link', exact: true })
      .inputValue();
    alice = decodeContactLink(link);
    await bob.addContact(link);
    await page.getByRole('textbox', { name: 'Their contact link' }).fill(bob.contactLink('Bob'));
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByText('Added Bob.').waitFor();

    // The number the page shows is the one Bob's device computes.
    await page.getByRole('button', { name: 'Verify Bob' }).click();
    const shown = await page.getByLabel('Safety number', { exact: true }).textContent();
    expect(shown).toBe(
      safetyNumber(bob.client.device.certificate.userPublicKey, alice.userPublicKey),
    );
    await page.getByRole('img', { name: 'Safety number as a QR code' }).waitFor();
    await page.getByRole('button', { name: 'Mark as verified' }).click();
    await page
      .getByRole('status', { name: 'Verification' })
      .getByText('You verified Bob.')
      .waitFor();

    // A room with Bob, then the page closes; Bob writes; the page opens again.
    await page.getByRole('button', { name: 'New room' }).click();
    await page.getByLabel('Room name').fill('catch up');
    await page.getByRole('checkbox', { name: 'Bob' }).check();
    await page.getByRole('button', { name: 'Create room' }).click();
    const roomId = await bobSees('the room', () => bob.client.rooms()[0]?.roomId);
    await bob.client.send(roomId, 'before closing');
    await article(page, 'before closing').waitFor();
    await page.close();
    const sent = ['while away 1', 'while away 2', 'while away 3'];
    for (const text of sent) await bob.client.send(roomId, text);

    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(server.url);
    await online(page);
    await page.getByRole('button', { name: /^catch up/ }).click();
    for (const text of sent) await article(page, text).waitFor();
    // Still verified after the reopen (kept with the device).
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await page.getByRole('listitem').filter({ hasText: 'Bob' }).getByText('Verified').waitFor();
  });

  it('shows a removed person that they are out, and lets them send nothing there', async () => {
    const kept = await bobSees<RoomId>('the first room', () => bob.client.rooms()[0]?.roomId);
    const roomId = await bob.createRoom({ name: 'bob club', members: [alice.userId] });
    await page.getByRole('button', { name: /^bob club/ }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('hi club');
    await composer.press('Enter');
    await bobSees('her message', () =>
      bob.client.timeline(roomId).find((m) => messageText(m.content) === 'hi club'),
    );

    await bob.client.remove(roomId, alice.userId);
    await page.getByRole('status').filter({ hasText: 'You are no longer in this room' }).waitFor();
    await expect.poll(() => composer.isDisabled()).toBe(true);
    await page
      .getByRole('button', { name: /^bob club/ })
      .getByText('(left)')
      .waitFor();

    // What Bob sends there now never reaches her: a later message elsewhere arrives first.
    await bob.client.send(roomId, 'after she left');
    await bob.client.send(kept, 'later elsewhere');
    await page.getByRole('button', { name: /^catch up/ }).click();
    await article(page, 'later elsewhere').waitFor();
    await page.getByRole('button', { name: /^bob club/ }).click();
    await article(page, 'hi club').waitFor();
    expect(await article(page, 'after she left').count()).toBe(0);
  });

  it('adds a contact by scanning their QR code, lets the camera go, and notifies of a DM while hidden', async () => {
    // Carol's camera films Bob's contact link as a QR code (Chromium's fake capture device).
    const video = join(world.work, 'bob-qr.y4m');
    await writeQrVideo(video, bob.contactLink('Bob'));
    const withCamera = await world.launchBrowser([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    const carolContext = await withCamera.newContext();
    await carolContext.grantPermissions(['notifications'], { origin: new URL(server.url).origin });
    const carol = await carolContext.newPage();
    carol.setDefaultTimeout(20_000);
    // Every camera stream the page gets, kept to see it is stopped.
    await carol.addInitScript(() => {
      const streams: MediaStream[] = [];
      (window as unknown as { __streams: MediaStream[] }).__streams = streams;
      const get = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await get(constraints);
        streams.push(stream);
        return stream;
      };
      // And every notification the page shows.
      const shown: string[] = [];
      (window as unknown as { __shown: string[] }).__shown = shown;
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(`${title}: ${options?.body ?? ''}`);
        }
      };
    });
    const requests = new Set<string>();
    carol.on('request', (r) => requests.add(new URL(r.url()).origin));
    await carol.goto(`${server.url}?relay=${encodeURIComponent(relayWs)}`);
    await carol.getByLabel('Your name').fill('Carol');
    await carol.getByRole('button', { name: 'Start' }).click();
    await carol.getByRole('button', { name: 'Scan QR code' }).click();
    await carol.getByRole('status').getByText('Added Bob.').waitFor();
    await carol.getByRole('list').getByRole('button', { name: 'Message Bob' }).waitFor();
    // The camera is off once the code is read: the stream it gave has ended.
    expect(await carol.getByRole('group', { name: 'Scan a QR code' }).count()).toBe(0);
    expect(
      await carol.evaluate(() =>
        (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) =>
          s.getTracks().map((t) => `${t.kind} ${t.readyState}`),
        ),
      ),
    ).toEqual(['video ended']);
    // Notifications on (asked when turned on); with the tab hidden, Bob's DM notifies her and
    // the title counts it.
    await carol.getByRole('button', { name: 'Notifications off' }).click();
    await carol.getByRole('button', { name: 'Notifications on' }).waitFor();
    await carol.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
    });
    const carolLink = await carol
      .getByRole('textbox', { name: 'Your contact link', exact: true })
      .inputValue();
    await bob.addContact(carolLink);
    const dm = await bob.createRoom({ dm: true, members: [decodeContactLink(carolLink).userId] });
    await carol.getByRole('button', { name: /^Bob/ }).waitFor();
    await bob.client.send(dm, 'psst, Carol');
    await expect
      .poll(() => carol.evaluate(() => (window as unknown as { __shown: string[] }).__shown), {
        timeout: 20_000,
      })
      .toEqual(['Bob: psst, Carol']);
    await expect.poll(() => carol.title(), { timeout: 20_000 }).toBe('(1) Kith');

    // Decoded in the page: nothing but the page's own origin was asked for anything.
    expect([...requests]).toEqual([new URL(server.url).origin]);
  });

  it('lets the room admin set history sharing, ban and unban, and a member see why not', async () => {
    // In a room Bob made, Alice is a member: she may not remove him, and is told why.
    const bobs = await bob.createRoom({ name: 'bob rules', members: [alice.userId] });
    await page.getByRole('button', { name: /^bob rules/ }).click();
    await page.getByRole('button', { name: 'Room settings' }).click();
    const refused = page.getByRole('button', { name: /^Remove Bob \(.+\)$/ });
    expect(await refused.isDisabled()).toBe(true);
    const sharing = page.getByRole('combobox', { name: 'People who join later may read' });
    expect(await sharing.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Room settings' }).click();

    // In her room, she bans him after confirming; Bob is out; then she unbans him.
    const roomId = await bobSees<RoomId>(
      'her room',
      () => bob.client.rooms().find((r) => r.name === 'catch up')?.roomId,
    );
    await page.getByRole('button', { name: /^catch up/ }).click();
    await page.getByRole('button', { name: 'Room settings' }).click();
    await sharing.selectOption({ label: 'Only what is sent after they join' });
    await bobSees('history shared only from joining', () =>
      bob.client.room(roomId).history === 'since-joined' ? true : undefined,
    );
    await page.getByRole('button', { name: 'Ban Bob', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Ban' }).click();
    await bobSees('himself banned', () => (bob.client.room(roomId).active ? undefined : true));
    await page.getByRole('button', { name: 'Unban Bob', exact: true }).click();
    await page.getByText('Unbanning Bob: done.').waitFor();
    expect(await page.getByRole('heading', { name: 'Banned' }).count()).toBe(0);
    expect(bob.client.rooms().some((r) => r.roomId === bobs)).toBe(true);
  });
});
