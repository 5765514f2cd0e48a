import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomView, Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import {
  createRoomWith,
  exchangeContacts,
  removeAll,
  roomOf,
  startDaemons,
  textsOf,
} from './cast.ts';

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
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';

  const room = (d: Daemon): Promise<RoomView | undefined> => roomOf(d, roomId);
  const texts = (d: Daemon): Promise<string[]> => textsOf(d, roomId);

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai']);
    ({ relay, me } = cast);
    [ana, ben, cai] = cast.daemons;
    await exchangeContacts(me, ana, [ben, cai]);
    roomId = await createRoomWith(me, ana, 'plans', [ben]);
  }, 90_000);
  afterAll(() => removeAll(relay, [ana, ben, cai]));

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

  it('a room-wide disappearing time makes every member’s messages vanish everywhere', async () => {
    const refused = await ben.rpc('setRoom', { roomId, disappearAfterMs: 60_000 });
    expect(refused.error).toMatchObject({ code: 1003 });
    await ana.call('setRoom', { roomId, disappearAfterMs: 3000 });
    for (const d of [ben, cai]) {
      await d.until('the timer', async () => (await room(d))?.disappearAfterMs === 3000);
    }
    const fleeting = `fleeting ${Date.now()}`;
    await ben.call('send', { roomId, text: fleeting });
    await cai.until('the message', async () => (await texts(cai)).includes(fleeting));
    for (const d of [ana, ben, cai]) {
      await d.until('the message gone', async () => !(await texts(d)).includes(fleeting));
    }
    await ana.call('setRoom', { roomId, disappearAfterMs: 0 });
    await ben.until('no timer', async () => (await room(ben))?.disappearAfterMs === null);
  });
});
