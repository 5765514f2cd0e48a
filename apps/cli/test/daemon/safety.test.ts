import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockedView, RefusedInviteView, RoomView, Whoami } from '../../src/app/views.ts';
import { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import { exchangeContacts, removeAll, roomOf, startDaemons, textsOf } from './cast.ts';

/**
 * Personal safety across real daemons and a relay. Contacts: ana knows ben and cai, both know
 * ana, and ben knows cai (so ben can invite cai) while cai does not know ben: to cai, ben is a
 * stranger.
 */
describe('blocking users, who can invite me, and one DM per pair, over JSON-RPC', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai']);
    ({ relay, me } = cast);
    [ana, ben, cai] = cast.daemons;
    await exchangeContacts(me, ana, [ben, cai]);
    await ben.call('addContact', { link: me['cai']?.contactLink });
  }, 60_000);
  afterAll(() => removeAll(relay, [ana, ben, cai]));

  const id = (name: string): string => me[name]?.userId ?? '';
  const rooms = (d: Daemon): Promise<RoomView[]> => d.call<RoomView[]>('rooms');
  const refusal = async (d: Daemon, roomId: string): Promise<RefusedInviteView | undefined> =>
    (await d.call<RefusedInviteView[]>('refusedInvites')).find((r) => r.roomId === roomId);
  const joined = (d: Daemon, roomId: string): Promise<void> =>
    d.until(`joining ${roomId}`, async () => (await roomOf(d, roomId))?.active === true);

  it('creating a DM twice gives the same room, from either side', async () => {
    const first = await ana.call<{ roomId: string; created: boolean }>('createDm', {
      userId: id('ben'),
    });
    expect(first.created).toBe(true);
    const again = await ana.call<{ roomId: string; created: boolean }>('createDm', {
      userId: id('ben'),
    });
    expect(again).toEqual({ roomId: first.roomId, created: false });
    const viaCreateRoom = await ana.call<{ roomId: string }>('createRoom', {
      dm: true,
      members: [id('ben')],
    });
    expect(viaCreateRoom.roomId).toBe(first.roomId);
    await joined(ben, first.roomId);
    const fromBen = await ben.call<{ roomId: string; created: boolean }>('createDm', {
      userId: id('ana'),
    });
    expect(fromBen).toEqual({ roomId: first.roomId, created: false });
    expect((await rooms(ana)).filter((r) => r.dm)).toHaveLength(1);
  });

  it('two DMs started at once by both sides: both show the same one, the lower room ID', async () => {
    const [fromAna, fromCai] = await Promise.all([
      ana.call<{ roomId: string }>('createDm', { userId: id('cai') }),
      cai.call<{ roomId: string }>('createDm', { userId: id('ana') }),
    ]);
    // Both made one (the race), or one side found the other's first: either way, one is shown.
    const made = [...new Set([fromAna.roomId, fromCai.roomId])].sort();
    const chosen = made[0] ?? '';
    const dmsWith = async (d: Daemon, other: string): Promise<string[]> =>
      (await rooms(d))
        .filter((r) => r.dm && r.members.some((m) => m.userId === id(other)))
        .map((r) => r.roomId);
    for (const [d, other] of [
      [ana, 'cai'],
      [cai, 'ana'],
    ] as const) {
      // A hidden duplicate is still on the device: its messages can be read by its ID.
      await d.until('every DM made', async () => {
        const replies = await Promise.all(made.map((roomId) => d.rpc('messages', { roomId })));
        return replies.every((r) => r.error === undefined);
      });
      expect(await dmsWith(d, other)).toEqual([chosen]);
      const again = await d.call<{ roomId: string }>('createDm', { userId: id(other) });
      expect(again.roomId).toBe(chosen);
    }
  });

  it('a DM refuses a third member, and the other side still has two', async () => {
    const { roomId } = await ana.call<{ roomId: string }>('createDm', { userId: id('ben') });
    const third = await ana.rpc('invite', { roomId, userId: id('cai') });
    expect(third.error).toMatchObject({ code: 1003, data: { kithCode: 'DM_FIXED' } });
    const viaBen = await ben.rpc('invite', { roomId, userId: id('cai') });
    expect(viaBen.error).toMatchObject({ code: 1003, data: { kithCode: 'DM_FIXED' } });
    for (const d of [ana, ben]) expect((await roomOf(d, roomId))?.members).toHaveLength(2);
  });

  it('a blocked user’s messages disappear from the blocker’s view and come back on unblock', async () => {
    const { roomId } = await ana.call<{ roomId: string }>('createRoom', {
      name: 'club',
      members: [id('ben'), id('cai')],
    });
    await joined(ben, roomId);
    await joined(cai, roomId);
    await ben.call('send', { roomId, text: 'ben: hello' });
    await cai.call('send', { roomId, text: 'cai: hello' });
    await ana.until('both messages', async () => (await textsOf(ana, roomId)).length === 2);

    await ana.call('block', { userId: id('ben') });
    expect(await ana.call<BlockedView[]>('blocked')).toMatchObject([
      { userId: id('ben'), displayName: 'ben' },
    ]);
    expect(await textsOf(ana, roomId)).toEqual(['cai: hello']);
    expect((await roomOf(ana, roomId))?.hidden).toBe(1);

    // What ben sends now reaches ana's device (it is counted) but is not shown to her.
    await ben.call('send', { roomId, text: 'ben: are you there?' });
    await ana.until('the hidden message', async () => (await roomOf(ana, roomId))?.hidden === 2);
    expect(await textsOf(ana, roomId)).toEqual(['cai: hello']);
    expect((await roomOf(ana, roomId))?.unread).toBe(0); // hidden is not unread
    // Only ana's view changes: cai still sees ben.
    await cai.until('ben’s message', async () =>
      (await textsOf(cai, roomId)).includes('ben: are you there?'),
    );

    await ana.call('unblock', { userId: id('ben') });
    expect(await ana.call<BlockedView[]>('blocked')).toEqual([]);
    expect((await textsOf(ana, roomId)).sort()).toEqual([
      'ben: are you there?',
      'ben: hello',
      'cai: hello',
    ]);
    expect((await roomOf(ana, roomId))?.hidden).toBe(0);
  });

  it('an invitation and a DM from a blocked user are refused, and blocking survives a restart', async () => {
    await cai.call('block', { userId: id('ben') });
    await cai.stop();
    cai = await Daemon.start('cai', cai.dataDir, [relay.tcpAddress]);
    expect((await cai.call<BlockedView[]>('blocked')).map((b) => b.userId)).toEqual([id('ben')]);

    const { roomId } = await ben.call<{ roomId: string }>('createRoom', {
      name: 'trap',
      members: [id('cai')],
    });
    const dm = await ben.call<{ roomId: string }>('createDm', { userId: id('cai') });
    for (const r of [roomId, dm.roomId]) {
      await cai.until('the refusal', async () => (await refusal(cai, r)) !== undefined);
      expect(await refusal(cai, r)).toMatchObject({ from: id('ben'), reason: 'blocked' });
      expect(await roomOf(cai, r)).toBeUndefined();
    }
    // And cai cannot start one with ben either while blocking him.
    const own = await cai.rpc('createDm', { userId: id('ben') });
    expect(own.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    await cai.call('unblock', { userId: id('ben') });
  });

  it("'contacts' refuses a stranger's invitation and takes a contact's; 'nobody' refuses all", async () => {
    await cai.call('setInvitePolicy', { policy: 'contacts' });
    expect(await cai.call('invitePolicy')).toEqual({ policy: 'contacts' });
    const bad = await cai.rpc('setInvitePolicy', { policy: 'friends' });
    expect(bad.error?.code).toBe(-32602);

    const spam = await ben.call<{ roomId: string }>('createRoom', {
      name: 'spam',
      members: [id('cai')],
    });
    await cai.until('the refusal', async () => (await refusal(cai, spam.roomId)) !== undefined);
    expect(await refusal(cai, spam.roomId)).toMatchObject({
      from: id('ben'),
      reason: 'not-a-contact',
    });
    expect(await roomOf(cai, spam.roomId)).toBeUndefined();

    const friends = await ana.call<{ roomId: string }>('createRoom', {
      name: 'friends',
      members: [id('cai')],
    });
    await joined(cai, friends.roomId);
    expect(await refusal(cai, friends.roomId)).toBeUndefined();

    await cai.call('setInvitePolicy', { policy: 'nobody' });
    const nobody = await ana.call<{ roomId: string }>('createRoom', {
      name: 'nobody',
      members: [id('cai')],
    });
    await cai.until('the refusal', async () => (await refusal(cai, nobody.roomId)) !== undefined);
    expect(await refusal(cai, nobody.roomId)).toMatchObject({ from: id('ana'), reason: 'nobody' });
    expect(await roomOf(cai, nobody.roomId)).toBeUndefined();

    // Opening up again: ana's device sends its invitation again, and now it is taken.
    await cai.call('setInvitePolicy', { policy: 'anyone' });
    await joined(cai, nobody.roomId);
  });
});
