import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import {
  createRoomWith,
  exchangeContacts,
  laterMessage,
  removeAll,
  roomOf,
  startDaemons,
  textsOf,
} from './cast.ts';

describe('kick, ban, unban and leave across daemons, each with its role check', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';

  const room = (d: Daemon): Promise<RoomView | undefined> => roomOf(d, roomId);
  const members = async (d: Daemon): Promise<string[]> =>
    ((await room(d))?.members ?? []).map((m) => m.displayName).sort();
  const texts = (d: Daemon): Promise<string[]> => textsOf(d, roomId);
  const id = (name: string): string => me[name]?.userId ?? '';

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai']);
    ({ relay, me } = cast);
    [ana, ben, cai] = cast.daemons;
    await exchangeContacts(me, ana, [ben, cai]);
    roomId = await createRoomWith(me, ana, 'club', [ben, cai]);
  }, 90_000);
  afterAll(() => removeAll(relay, [ana, ben, cai]));

  it('a moderator kicks a member but may not ban', async () => {
    await ana.call('setRole', { roomId, userId: id('ben'), role: 'moderator' });
    await ben.until('being a moderator', async () =>
      ((await room(ben))?.members ?? []).some(
        (m) => m.userId === id('ben') && m.role === 'moderator',
      ),
    );
    await cai.call('send', { roomId, text: 'before the kick' });
    await ben.until('cai’s message', async () => (await texts(ben)).includes('before the kick'));
    const ban = await ben.rpc('ban', { roomId, userId: id('cai') });
    expect(ban.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    await ben.call('remove', { roomId, userId: id('cai') });
    await cai.until('being kicked', async () => (await room(cai))?.active === false);
    await ana.until('cai gone', async () => !(await members(ana)).includes('cai'));
    await ben.until('cai gone', async () => !(await members(ben)).includes('cai'));
    // Her earlier message still says who wrote it (ben knows her only from her profile).
    const listed = await ben.call<MessageView[]>('messages', { roomId });
    expect(listed.find((m) => m.text === 'before the kick')?.senderName).toBe('cai');
  });

  it('a banned user cannot be invited back until unbanned, then joins again', async () => {
    await ana.call('ban', { roomId, userId: id('cai') });
    const invite = await ana.rpc('invite', { roomId, userId: id('cai') });
    expect(invite.error).toMatchObject({ code: 1003, data: { kithCode: 'BANNED' } });
    const unbanByModerator = await ben.rpc('unban', { roomId, userId: id('cai') });
    expect(unbanByModerator.error).toMatchObject({ code: 1003 });

    await ana.call('unban', { roomId, userId: id('cai') });
    await ana.call('invite', { roomId, userId: id('cai') });
    await cai.until('joining again', async () => (await room(cai))?.active === true);
    await ana.call('send', { roomId, text: 'welcome back, cai' });
    await cai.until('the welcome back', async () =>
      (await texts(cai)).includes('welcome back, cai'),
    );
  });

  it('a member who leaves is gone for everyone and reads nothing after', async () => {
    await cai.call('leave', { roomId });
    await cai.until('having left', async () => (await room(cai))?.active === false);
    await ana.until('cai gone again', async () => !(await members(ana)).includes('cai'));
    await ana.call('send', { roomId, text: 'just us now' });
    await ben.until('ana’s message', async () => (await texts(ben)).includes('just us now'));
    // Only once a later message from ana has reached cai does cai's lack of it mean anything.
    await laterMessage(me, ana, cai, 'sent after “just us now”');
    expect(await texts(cai)).not.toContain('just us now');
    expect(await members(ben)).toEqual(['ana', 'ben']);
  });
});
