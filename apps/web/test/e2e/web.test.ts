import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionedUsers, messageText, toHex, type RoomId, type TimelineMessage } from '@kith/core';
import type { KithNode } from '@kith/node';
import type { WebServer } from '@kith/relay/web-server';
import { seriousViolations } from './axe.ts';
import { article, WebWorld } from './web-world.ts';

let world: WebWorld;
let server: WebServer;
let relayWs: string;
let browser: Browser;
let bob: KithNode;

beforeAll(async () => {
  world = await WebWorld.start('e2e');
  ({ server, relayWs, browser, bob } = world);
});

afterAll(() => world.close());

function bobSees<T>(what: string, check: () => T | undefined): Promise<T> {
  return world.bobSees(what, check);
}

function bobMessage(
  roomId: RoomId,
  text: string,
  also: (m: TimelineMessage) => boolean = () => true,
): Promise<TimelineMessage> {
  return bobSees(`"${text}"`, () =>
    bob.client.timeline(roomId).find((m) => messageText(m.content) === text && also(m)),
  );
}

/**
 * With KITH_WEB_SCREENSHOTS=<directory>: the room in light and dark themes and at 360 px wide
 * (docs/screenshots/ holds the ones the README shows).
 */
async function screenshots(page: Page): Promise<void> {
  const dir = process.env['KITH_WEB_SCREENSHOTS'];
  if (dir === undefined) return;
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(dir, 'web-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(dir, 'web-dark.png') });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: join(dir, 'web-mobile.png') });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('the web messenger in Chromium, with a relay and a KithNode', () => {
  it('onboards, adds a contact, chats both ways, and shows hostile Markdown inert', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Nothing but the app's own origin and the relay: no third-party requests.
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));

    // Onboarding: the relay comes from the page's address.
    await page.goto(`${server.url}?relay=${encodeURIComponent(relayWs)}`);
    await page.getByLabel('Your name').fill('Alice');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByRole('status', { name: 'Connection' })
      .filter({ hasText: 'Online through 1 of 1 relay' })
      .waitFor();

    // Contacts both ways: the link as text (and a QR code), and a pasted link.
    await expect(
      page.getByRole('img', { name: 'Your contact link as a QR code' }).count(),
    ).resolves.toBe(1);
    const link = await page
      .getByRole('textbox', { name: 'Your contact link', exact: true })
      .inputValue();
    await bob.addContact(link);
    await page.getByRole('textbox', { name: 'Their contact link' }).fill(bob.contactLink('Bob'));
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByText('Added Bob.').waitFor();

    // A room with Bob.
    await page.getByRole('button', { name: 'New room' }).click();
    await page.getByLabel('Room name').fill('web and node');
    await page.getByRole('checkbox', { name: 'Bob' }).check();
    await page.getByRole('button', { name: 'Create room' }).click();
    const roomId = await bobSees('the room', () => bob.client.rooms()[0]?.roomId);
    await page.getByRole('heading', { name: 'web and node' }).waitFor();

    // Alice -> Bob, Markdown.
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('hello **Bob**');
    await composer.press('Enter');
    const hello = await bobMessage(roomId, 'hello **Bob**');
    expect(hello.content.body.kind === 'single' && hello.content.body.contentType).toContain(
      'text/markdown',
    );

    // A mention, completed from the room's members.
    await composer.pressSequentially('hey @Bo');
    await page.getByRole('option', { name: '@Bob' }).waitFor();
    await composer.press('Enter');
    await composer.pressSequentially('look');
    await composer.press('Enter');
    const mention = await bobSees('the mention', () =>
      bob.client.timeline(roomId).find((m) => messageText(m.content).startsWith('hey ')),
    );
    expect(mentionedUsers(mention.content)).toEqual([bob.userId]);

    // Bob -> Alice: hostile messages, as Markdown (tags escaped on the wire, as senders must)
    // and as plain text (raw HTML), and a reply.
    const hostile =
      '**bold** <img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=2) ' +
      '<script>window.__pwned=3</script> ![t](https://tracker.invalid/p.png)';
    await bob.client.send(roomId, hostile, { markdown: true });
    await bob.client.send(roomId, `plain ${hostile}`);
    await bob.client.send(roomId, 'hi Alice', { replyTo: hello.messageId });
    await article(page, 'hi Alice').waitFor();
    const timeline = page.getByRole('log', { name: 'Messages' });
    expect(await timeline.locator('img, script, iframe, object, [onerror]').count()).toBe(0);
    const hrefs = await timeline
      .locator('a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.every((h) => h?.startsWith('https://') === true)).toBe(true);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    const md = article(page, 'bold').first();
    expect(await md.locator('strong').first().textContent()).toBe('bold');
    expect(await md.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await article(page, 'plain').textContent()).toContain(
      '<script>window.__pwned=3</script>',
    );
    // The reply quotes what it answers.
    expect(await article(page, 'hi Alice').getByLabel('In reply to Alice').textContent()).toContain(
      'hello **Bob**',
    );

    // Bob reads Alice's message: she sees it.
    await bob.client.markRead(
      roomId,
      bob.client.timeline(roomId).at(-1)?.messageId ?? hello.messageId,
    );
    const aliceHello = page.getByRole('article', { name: /^Alice / }).filter({ hasText: 'hello' });
    await aliceHello.getByText('Read by 1').waitFor();

    // Alice reacts to Bob's reply, edits her message, then deletes it after confirming.
    await article(page, 'hi Alice').getByRole('button', { name: 'React 👍' }).click();
    await bobMessage(roomId, 'hi Alice', (m) => m.reactions.get('👍')?.size === 1);
    await aliceHello.getByRole('button', { name: 'Edit' }).click();
    await page.getByText('Editing your message').waitFor();
    await composer.fill('hello **Bob**, edited');
    await composer.press('Enter');
    await bobMessage(roomId, 'hello **Bob**, edited', (m) => m.edited);
    const mine = page.getByRole('article', { name: /^Alice / }).filter({ hasText: 'edited' });
    await mine.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await bobSees('the retraction', () =>
      bob.client
        .timeline(roomId)
        .find((m) => toHex(m.messageId) === toHex(hello.messageId) && m.retracted),
    );

    // A thread beside the timeline.
    await article(page, 'hi Alice').getByRole('button', { name: 'Reply in thread' }).click();
    const threadComposer = page.getByRole('textbox', { name: 'Reply in thread' });
    await threadComposer.fill('in a thread');
    await threadComposer.press('Enter');
    const inThread = await bobMessage(roomId, 'in a thread');
    expect(toHex(inThread.topicId ?? new Uint8Array())).toBe(
      toHex(
        bob.client.timeline(roomId).find((m) => messageText(m.content) === 'hi Alice')?.messageId ??
          new Uint8Array(),
      ),
    );
    await page.getByRole('log', { name: 'Thread messages' }).getByText('in a thread').waitFor();
    await page.getByRole('button', { name: 'Close thread' }).click();
    await article(page, 'hi Alice').getByRole('button', { name: 'Thread (1 reply)' }).waitFor();

    // Typing, then unread counts and the "new messages" marker while Alice looks elsewhere.
    await bob.client.setTyping(roomId, true);
    await page.getByText('Bob is typing…').waitFor();
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await bob.client.send(roomId, 'are you there?');
    await page.getByRole('button', { name: 'web and node, 1 unread' }).waitFor();
    await page.getByRole('button', { name: /^web and node/ }).click();
    await page.getByRole('separator', { name: 'New messages' }).waitFor();
    await page.getByRole('button', { name: 'web and node', exact: true }).waitFor();

    // Export the room's history, and import it into a new room with a progress bar.
    await page.getByRole('button', { name: 'Room settings' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export history' }).click(),
    ]);
    const exported = join(world.work, 'export.jsonl');
    await download.saveAs(exported);
    await page.getByRole('button', { name: 'New room' }).click();
    await page.getByLabel('Export file').setInputFiles(exported);
    // Done, it shows the new room: a second one of that name, holding the messages.
    await page
      .getByRole('button', { name: /^web and node/ })
      .nth(1)
      .waitFor();
    await page.getByRole('heading', { name: 'web and node' }).waitFor();
    await article(page, 'are you there?').waitFor();

    // A reload opens the same device from IndexedDB: the rooms and messages are there.
    await page.reload();
    await page
      .getByRole('status', { name: 'Connection' })
      .filter({ hasText: 'Online through 1 of 1 relay' })
      .waitFor();
    expect(await page.getByRole('button', { name: /^web and node/ }).count()).toBe(2);
    await page
      .getByRole('button', { name: /^web and node/ })
      .first()
      .click();
    await article(page, 'hi Alice').waitFor();

    // Installable: the manifest is linked and the service worker holds the app shell.
    expect(
      await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state),
    ).toBe('activated');
    // No serious accessibility violations on the room screen (light and dark) and the contacts
    // screen (axe-core, evaluated through the driver: the page's CSP allows no injected script).
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page
      .getByRole('button', { name: /^web and node/ })
      .first()
      .click();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshots(page);
    expect(pageErrors).toEqual([]);
    expect([...origins]).toEqual([new URL(server.url).origin]);
  });

  it('serves nothing outside the build', async () => {
    const response = await fetch(`${server.url}..%2f..%2fpackage.json`);
    expect(await response.text()).not.toContain('"name"');
  });
});
