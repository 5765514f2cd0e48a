import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import {
  createRoomWith,
  exchangeContacts,
  laterMessage,
  messagesOf,
  removeAll,
  startDaemons,
  textsOf,
} from './cast.ts';

describe('three daemons and a relay in a conversation over JSON-RPC', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai']);
    ({ relay, me } = cast);
    [ana, ben, cai] = cast.daemons;
    await exchangeContacts(me, ana, [ben, cai]);
  }, 60_000);
  afterAll(() => removeAll(relay, [ana, ben, cai]));

  const messages = (d: Daemon): Promise<MessageView[]> => messagesOf(d, roomId);
  const texts = (d: Daemon): Promise<string[]> => textsOf(d, roomId);

  it('creates a group, and messages, replies, edits and reactions reach everyone', async () => {
    roomId = await createRoomWith(me, ana, 'team', [ben, cai]);
    const rooms = await ben.call<RoomView[]>('rooms');
    expect(rooms[0]).toMatchObject({ name: 'team', dm: false });
    expect(rooms[0]?.members.map((m) => [m.displayName, m.role])).toContainEqual(['ana', 'owner']);

    const { messageId } = await ana.call<{ messageId: string }>('send', { roomId, text: 'lunch?' });
    expect(messageId).toMatch(/^[0-9a-f]{64}$/);
    await ben.until('ana’s message', async () => (await texts(ben)).includes('lunch?'));
    await ben.call('send', { roomId, text: 'yes!', replyTo: messageId });
    await ana.call('edit', { roomId, messageId, text: 'lunch at noon?' });
    await cai.call('react', { roomId, messageId, emoji: '👍' });
    await ana.until('everything', async () => {
      const list = await messages(ana);
      const first = list.find((m) => m.messageId === messageId);
      return (
        first?.text === 'lunch at noon?' &&
        first.reactions['👍']?.length === 1 &&
        list.some((m) => m.text === 'yes!' && m.replyTo === messageId)
      );
    });
    const seen = (await messages(ana)).find((m) => m.messageId === messageId);
    expect(seen).toMatchObject({ edited: true, retracted: false, senderName: 'ana' });
    expect(seen?.reactions['👍']).toEqual([me['cai']?.userId]);
    await cai.call('unreact', { roomId, messageId, emoji: '👍' });
    await ana.until('the reaction gone', async () =>
      (await messages(ana)).every((m) => m.reactions['👍'] === undefined),
    );
  });

  it('counts unread messages until they are read', async () => {
    await cai.call('messages', { roomId }); // reads everything so far
    const unread = async (): Promise<number | undefined> =>
      (await cai.call<RoomView[]>('rooms')).find((x) => x.roomId === roomId)?.unread;
    expect(await unread()).toBe(0);
    await ana.call('send', { roomId, text: 'one' });
    await ana.call('send', { roomId, text: 'two' });
    await cai.until('two unread', async () => (await unread()) === 2);
    await cai.call('messages', { roomId });
    expect(await unread()).toBe(0);
    // Its own messages never count as unread.
    await cai.call('send', { roomId, text: 'mine' });
    expect(await unread()).toBe(0);
  });

  it('a daemon that was stopped reads what it missed from the relay, nobody else online', async () => {
    await cai.stop();
    await ana.call('send', { roomId, text: 'while cai was away' });
    await ben.until('the message', async () => (await texts(ben)).includes('while cai was away'));
    await ana.stop();
    await ben.stop();
    cai = await Daemon.start('cai', cai.dataDir, [relay.tcpAddress]);
    await cai.until('catching up', async () => (await texts(cai)).includes('while cai was away'));
    ana = await Daemon.start('ana', ana.dataDir, [relay.tcpAddress]);
    ben = await Daemon.start('ben', ben.dataDir, [relay.tcpAddress]);
  });

  it('refuses what a role does not allow, and changes nothing', async () => {
    const refused = await ben.rpc('remove', { roomId, userId: me['cai']?.userId });
    expect(refused.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    const rename = await ben.rpc('setRoom', { roomId, name: 'mine now' });
    expect(rename.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    const room = (await ana.call<RoomView[]>('rooms')).find((r) => r.roomId === roomId);
    expect(room?.name).toBe('team');
    expect(room?.members).toHaveLength(3);
    // Editing someone else's message is refused too.
    const [first] = await messages(ben);
    expect(first?.senderName).toBe('ana');
    const edit = await ben.rpc('edit', { roomId, messageId: first?.messageId, text: 'forged' });
    expect(edit.error).toMatchObject({
      code: 1003,
      message: 'only the author may edit a message',
      data: { kithCode: 'NOT_ALLOWED' },
    });
  });

  it('lets the owner promote, and a removed member can no longer read', async () => {
    await ana.call('setRole', { roomId, userId: me['ben']?.userId, role: 'moderator' });
    await ana.call('remove', { roomId, userId: me['cai']?.userId });
    await cai.until('cai removed', async () =>
      (await cai.call<RoomView[]>('rooms')).some((r) => r.roomId === roomId && !r.active),
    );
    await ana.call('send', { roomId, text: 'after cai left' });
    await ben.until('the message', async () => (await texts(ben)).includes('after cai left'));
    // Only once a later message from ana has reached cai does cai's lack of it mean anything.
    await laterMessage(me, ana, cai, 'sent after “after cai left”');
    expect(await texts(cai)).not.toContain('after cai left');
    const sendAfter = await cai.rpc('send', { roomId, text: 'am I in?' });
    expect(sendAfter.error).toMatchObject({ code: 1002 });
  });

  it('makes a DM of exactly two users', async () => {
    const { roomId: dm } = await ana.call<{ roomId: string }>('createRoom', {
      dm: true,
      members: [me['ben']?.userId],
    });
    await ben.until('the DM', async () =>
      (await ben.call<RoomView[]>('rooms')).some((r) => r.roomId === dm && r.dm),
    );
    await ana.call('send', { roomId: dm, text: 'just us' });
    await ben.until('the DM’s message', async () => (await textsOf(ben, dm)).includes('just us'));
    // The relay kept what the DM sent: no refusal ("may not write to this mailbox") on the way.
    for (const d of [ana, ben]) expect(d.stderr).not.toMatch(/UNAUTHORIZED|refused/);
    const tooMany = await ana.rpc('createRoom', {
      dm: true,
      members: [me['ben']?.userId, me['cai']?.userId],
    });
    expect(tooMany.error?.code).toBe(1009);
  });
});
