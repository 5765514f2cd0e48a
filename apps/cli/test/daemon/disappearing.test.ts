import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../src/app/search.ts';
import type { MessageView, Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import {
  createRoomWith,
  exchangeContacts,
  messagesOf,
  removeAll,
  startDaemons,
  textsOf,
} from './cast.ts';

/** The files of a data directory (recursively) that hold `text`, as UTF-8 bytes. */
async function filesHolding(dir: string, text: string): Promise<string[]> {
  const needle = Buffer.from(text, 'utf8');
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    // A LevelDB file can go between the listing and the read (a compaction): it holds nothing.
    const bytes = await readFile(path).catch(() => Buffer.alloc(0));
    if (bytes.includes(needle)) out.push(path);
  }
  return out;
}

describe('redaction that purges, and disappearing messages, across daemons', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';
  const everyone = (): Daemon[] => [ana, ben, cai];

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai']);
    ({ relay, me } = cast);
    [ana, ben, cai] = cast.daemons;
    await exchangeContacts(me, ana, [ben, cai]);
    roomId = await createRoomWith(me, ana, 'vanishing', [ben, cai]);
  }, 90_000);
  afterAll(() => removeAll(relay, everyone()));

  const messages = (d: Daemon): Promise<MessageView[]> => messagesOf(d, roomId);
  const texts = (d: Daemon): Promise<string[]> => textsOf(d, roomId);
  const search = (d: Daemon, text: string): Promise<SearchHit[]> =>
    d.call<SearchHit[]>('search', { text });
  /** Text no other part of the test (or chance) writes. */
  const unique = (label: string): string => `${label}-${randomBytes(8).toString('hex')}`;

  it('a retracted message’s text leaves every daemon’s data directory', async () => {
    const secret = unique('retract-me');
    const other = unique('bystander');
    const { messageId } = await ana.call<{ messageId: string }>('send', { roomId, text: secret });
    await ben.call('send', { roomId, text: other });
    for (const d of everyone()) {
      await d.until('both messages', async () => {
        const t = await texts(d);
        return t.includes(secret) && t.includes(other);
      });
    }
    // Stored on disk first (the test would prove nothing otherwise).
    for (const d of everyone()) {
      await d.until(
        'the message on disk',
        async () => (await filesHolding(d.dataDir, secret)).length > 0,
      );
    }
    // Ben, a plain member, may not retract Ana's message: refused, nothing purged.
    const refused = await ben.rpc('retract', { roomId, messageId });
    expect(refused.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });

    await ana.call('retract', { roomId, messageId });
    for (const d of everyone()) {
      await d.until('the retraction', async () =>
        (await messages(d)).some((m) => m.messageId === messageId && m.retracted),
      );
      const shown = (await messages(d)).find((m) => m.messageId === messageId);
      expect(shown?.text).not.toContain(secret);
      // The tick compacts the purged body out of LevelDB's files.
      await d.until(
        'the text gone from the data directory',
        async () => (await filesHolding(d.dataDir, secret)).length === 0,
      );
      expect(await filesHolding(d.dataDir, other)).not.toEqual([]);
    }
  });

  it('a message sent with expiresInMs vanishes from every daemon and its files', async () => {
    const ink = unique('vanishing-ink');
    const { messageId } = await cai.call<{ messageId: string }>('send', {
      roomId,
      text: ink,
      expiresInMs: 4000,
    });
    // Found by a local search while it lasts (on the sender's device at once)...
    expect((await search(cai, ink)).map((h) => h.messageId)).toEqual([messageId]);
    for (const d of everyone()) {
      await d.until('the message', async () => (await texts(d)).includes(ink));
    }
    for (const d of everyone()) {
      await d.until('the message expired', async () =>
        (await messages(d)).every((m) => m.messageId !== messageId),
      );
      // ...and no longer once it expired: the search has nothing of it left to find.
      expect(await search(d, ink)).toEqual([]);
      await d.until(
        'the text gone from the data directory',
        async () => (await filesHolding(d.dataDir, ink)).length === 0,
      );
    }
    const bad = await ana.rpc('send', { roomId, text: 'x', expiresInMs: 'soon' });
    expect(bad.error?.code).toBe(-32602);
  });
});
