import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CapabilitiesView,
  MemberDetailView,
  MessageView,
  ThreadView,
  VersionView,
  Whoami,
} from '../../src/app/views.ts';
import type { RelayStatus } from '@kith/node';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import {
  createRoomWith,
  exchangeContacts,
  messagesOf,
  removeAll,
  roomOf,
  startDaemons,
} from './cast.ts';

describe('people, mentions, threads, edit history and capabilities across daemons', () => {
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
    // Ben and Cai are Ana's contacts, not each other's: what they know of each other's names
    // comes from the room.
    await exchangeContacts(me, ana, [ben, cai]);
    roomId = await createRoomWith(me, ana, 'people', [ben, cai]);
  }, 60_000);
  afterAll(() => removeAll(relay, [ana, ben, cai]));

  const idOf = (name: string): string => me[name]?.userId ?? '';
  const members = (d: Daemon): Promise<MemberDetailView[]> =>
    d.call<MemberDetailView[]>('members', { roomId });
  const nameOf = async (d: Daemon, user: string): Promise<string | undefined> =>
    (await members(d)).find((m) => m.userId === idOf(user))?.displayName;
  const messages = (d: Daemon, extra: object = {}): Promise<MessageView[]> =>
    messagesOf(d, roomId, extra);

  it('says which relays a daemon is connected to and reserved on', async () => {
    const { relays } = await ana.call<{ relays: RelayStatus[] }>('relays');
    expect(relays).toEqual([
      expect.objectContaining({ address: relay.tcpAddress, connected: true, reserved: true }),
    ]);
  });

  it('a display name set on one daemon shows on the others, cleaned, per user and device', async () => {
    // Cai is no contact of Ben's: Ben knows Cai's name only from the profile in the room.
    await ben.until('cai’s name from the room', async () => (await nameOf(ben, 'cai')) === 'cai');
    await ana.call('setProfile', { displayName: 'Ana Lovelace', avatar: 'blob:sha256-0f' });
    for (const d of [ben, cai]) {
      await d.until('ana’s new name', async () => (await nameOf(d, 'ana')) === 'Ana Lovelace');
    }
    const seen = (await members(cai)).find((m) => m.userId === idOf('ana'));
    expect(seen).toMatchObject({ role: 'owner', avatar: 'blob:sha256-0f' });
    expect(seen?.devices).toEqual([
      { deviceId: me['ana']?.deviceId, deviceName: hostname().slice(0, 64) },
    ]);
    // The name replaces the one in Ben's contact list wherever Ben sees Ana.
    const room = await roomOf(ben, roomId);
    expect(room?.members.find((m) => m.userId === idOf('ana'))?.displayName).toBe('Ana Lovelace');

    // A name made to rewrite the screen arrives as plain text.
    await cai.call('setProfile', { displayName: '\u001b[2J\u001b[31mcai\u202e the great' });
    await ben.until(
      'cai’s cleaned name',
      async () => (await nameOf(ben, 'cai'))?.startsWith('[2J') === true,
    );
    expect(await nameOf(ben, 'cai')).toBe('[2J [31mcai the great');
  });

  it('a member who takes another’s name names only themselves', async () => {
    await cai.call('setProfile', { displayName: 'Ana Lovelace' });
    // Both wait for this name, so that "cai again" below cannot pass on a name seen before it
    // (Ana may not have had Cai's earlier renames yet, and would then mention nobody).
    for (const d of [ana, ben]) {
      await d.until('cai renamed', async () => (await nameOf(d, 'cai')) === 'Ana Lovelace');
    }
    // Ana's own profile is untouched: a device can only write its own (checked by every member).
    expect(await nameOf(ben, 'ana')).toBe('Ana Lovelace');
    const twins = (await members(ben)).filter((m) => m.displayName === 'Ana Lovelace');
    expect(twins.map((m) => m.userId).sort()).toEqual([idOf('ana'), idOf('cai')].sort());
    await cai.call('setProfile', { displayName: 'cai' });
    // Ana resolves "@cai" by the names she knows: wait until she knows Cai's again.
    for (const d of [ana, ben]) {
      await d.until('cai again', async () => (await nameOf(d, 'cai')) === 'cai');
    }
  });

  it('a mention raises the mention flag for the mentioned user only', async () => {
    for (const d of [ana, ben, cai]) await messages(d); // everything read so far
    const { messageId } = await ana.call<{ messageId: string }>('send', {
      roomId,
      text: 'lunch, @cai? **noon**',
      markdown: true,
    });
    await cai.until('the mention', async () => (await roomOf(cai, roomId))?.mentions === true);
    await ben.until('the message', async () =>
      (await messages(ben)).some((m) => m.messageId === messageId),
    );
    expect((await roomOf(ben, roomId))?.mentions).toBe(false);
    const [seenByCai] = (await cai.call<MessageView[]>('messages', { roomId, limit: 1 })).slice(-1);
    expect(seenByCai).toMatchObject({
      messageId,
      markdown: true,
      mentions: [idOf('cai')],
      mentionsMe: true,
    });
    expect(seenByCai?.text).toContain(`[@cai](kith:user/${idOf('cai')})`);
    // Reading the room clears the flag.
    expect((await roomOf(cai, roomId))?.mentions).toBe(false);
    const seenByBen = (await messages(ben)).find((m) => m.messageId === messageId);
    expect(seenByBen?.mentionsMe).toBe(false);
  });

  it('replies quote the original, and a thread is listed and followed', async () => {
    const { messageId: root } = await ben.call<{ messageId: string }>('send', {
      roomId,
      text: 'plan for friday',
    });
    await ana.until('the root', async () =>
      (await messages(ana)).some((m) => m.messageId === root),
    );
    await ana.call('send', { roomId, text: 'I bring snacks', threadId: root, replyTo: root });
    await cai.until('the root', async () =>
      (await messages(cai)).some((m) => m.messageId === root),
    );
    await cai.call('send', { roomId, text: 'count me in', threadId: root });
    await ana.call('send', { roomId, text: 'unrelated' });
    await ben.until('both thread replies', async () => {
      const t = (await ben.call<ThreadView[]>('threads', { roomId })).find(
        (x) => x.threadId === root,
      );
      return t?.replies === 2;
    });
    const [thread] = await ben.call<ThreadView[]>('threads', { roomId });
    expect(thread).toMatchObject({ threadId: root, replies: 2, root: { text: 'plan for friday' } });
    expect(thread?.participants.map((p) => p.userId).sort()).toEqual(
      [idOf('ana'), idOf('ben'), idOf('cai')].sort(),
    );
    const followed = await messages(ben, { threadId: root });
    expect(followed.map((m) => m.text)).toEqual([
      'plan for friday',
      'I bring snacks',
      'count me in',
    ]);
    expect(followed[1]?.quote).toMatchObject({
      messageId: root,
      sender: idOf('ben'),
      text: 'plan for friday',
    });
  });

  it('edit history lists every version, and nobody edits another’s message', async () => {
    const { messageId } = await ana.call<{ messageId: string }>('send', { roomId, text: 'v1' });
    await ana.call('edit', { roomId, messageId, text: 'v2' });
    await ana.call('edit', { roomId, messageId, text: 'v3' });
    await cai.until('all versions', async () => {
      // Until the message itself arrives, asking for its history is an unknown-message error.
      const reply = await cai.rpc('history', { roomId, messageId });
      return Array.isArray(reply.result) && reply.result.length === 3;
    });
    const versions = await cai.call<VersionView[]>('history', { roomId, messageId });
    expect(versions.map((v) => v.text)).toEqual(['v1', 'v2', 'v3']);
    expect(versions[0]?.messageId).toBe(messageId);
    expect(new Set(versions.map((v) => v.deviceId))).toEqual(new Set([me['ana']?.deviceId]));
    const forged = await ben.rpc('edit', { roomId, messageId, text: 'forged' });
    expect(forged.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    const unknown = await ben.rpc('history', { roomId, messageId: `01${'00'.repeat(31)}` });
    expect(unknown.error?.code).toBe(1004);
  });

  it('capabilities differ by role, and follow a change of role', async () => {
    const owner = await ana.call<CapabilitiesView>('capabilities', { roomId });
    const member = await ben.call<CapabilitiesView>('capabilities', { roomId });
    expect(owner.role).toBe('owner');
    expect(owner.capabilities).toEqual(expect.arrayContaining(['canBan', 'canChangeUserRole']));
    expect(member.role).toBe('member');
    expect(member.capabilities).toContain('canSendMessage');
    expect(member.capabilities).not.toContain('canBan');
    expect(member.capabilities).not.toContain('canDeleteOtherMessage');
    await ana.call('setRole', { roomId, userId: idOf('ben'), role: 'moderator' });
    await ben.until(
      'the new role',
      async () =>
        (await ben.call<CapabilitiesView>('capabilities', { roomId })).role === 'moderator',
    );
    const moderator = await ben.call<CapabilitiesView>('capabilities', { roomId });
    expect(moderator.capabilities).toContain('canDeleteOtherMessage');
    expect(moderator.capabilities).not.toContain('canBan');
  });
});
