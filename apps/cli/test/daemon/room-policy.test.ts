import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import { Daemon } from '../../src/demo/daemon-process.ts';
import { DemoRelay } from '../../src/demo/relay-process.ts';

/** Whether any file under `dir` holds `text` as UTF-8. */
async function anyFileHolds(dir: string, text: string): Promise<boolean> {
  const needle = Buffer.from(text, 'utf8');
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const bytes = await readFile(join(entry.parentPath, entry.name)).catch(() => Buffer.alloc(0));
    if (bytes.includes(needle)) return true;
  }
  return false;
}

describe('the room profile and its history policy across daemons', () => {
  let relay: DemoRelay;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';

  const room = async (d: Daemon): Promise<RoomView | undefined> =>
    (await d.call<RoomView[]>('rooms')).find((r) => r.roomId === roomId);
  const texts = async (d: Daemon): Promise<string[]> =>
    (await d.call<MessageView[]>('messages', { roomId })).map((m) => m.text);

  beforeAll(async () => {
    relay = await DemoRelay.start();
    const relays = [relay.address];
    [ana, ben, cai] = await Promise.all([
      Daemon.start('ana', undefined, relays),
      Daemon.start('ben', undefined, relays),
      Daemon.start('cai', undefined, relays),
    ]);
    me = {};
    for (const d of [ana, ben, cai]) me[d.name] = await d.call<Whoami>('whoami');
    for (const d of [ben, cai]) {
      await ana.call('addContact', { link: me[d.name]?.contactLink });
      await d.call('addContact', { link: me['ana']?.contactLink });
    }
    ({ roomId } = await ana.call<{ roomId: string }>('createRoom', {
      name: 'plans',
      members: [me['ben']?.userId],
    }));
    await ben.until('joining', async () => (await room(ben)) !== undefined);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([ana, ben, cai].map((d) => d.remove()));
    await relay.stop();
  });

  it('sets name, topic and avatar for everyone; a member may not change the policy', async () => {
    await ana.call('setRoom', {
      roomId,
      topic: 'what we do next',
      avatar: 'https://example.org/plans.png',
      history: 'since-joined',
    });
    await ben.until('the new profile', async () => (await room(ben))?.history === 'since-joined');
    expect(await room(ben)).toMatchObject({
      name: 'plans',
      topic: 'what we do next',
      avatar: 'https://example.org/plans.png',
      history: 'since-joined',
      withheld: 0,
    });
    const refused = await ben.rpc('setRoom', { roomId, history: 'all' });
    expect(refused.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    const bad = await ana.rpc('setRoom', { roomId, history: 'sometimes' });
    expect(bad.error).toMatchObject({ code: -32602 });
    expect((await room(ana))?.history).toBe('since-joined');
  });

  it('a member who joins later never gets what was written before, and sees that it was withheld', async () => {
    const secret = `before cai joined ${Date.now()}`;
    await ben.call('send', { roomId, text: secret });
    await ana.until('ben’s message', async () => (await texts(ana)).includes(secret));
    await ana.call('invite', { roomId, userId: me['cai']?.userId });
    await cai.until('joining', async () => (await room(cai)) !== undefined);
    await ana.call('send', { roomId, text: 'welcome, cai' });
    await cai.until('the welcome', async () => (await texts(cai)).includes('welcome, cai'));
    await cai.until('the withheld count', async () => (await room(cai))?.withheld === 1);
    expect(await texts(cai)).toEqual(['welcome, cai']);
    expect(await room(cai)).toMatchObject({ avatar: 'https://example.org/plans.png' });
    expect(await anyFileHolds(cai.dataDir, secret)).toBe(false);
    expect(await texts(ben)).toContain(secret);
  });
});
