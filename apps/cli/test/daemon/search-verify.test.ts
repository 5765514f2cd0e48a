import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../src/app/search.ts';
import type { SafetyView } from '../../src/app/verify.ts';
import type { Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import { createRoomWith, exchangeContacts, removeAll, startDaemons, textsOf } from './cast.ts';

describe('search and contact verification through the daemon', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';
  let otherRoom = '';

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai']);
    ({ relay, me } = cast);
    [ana, ben, cai] = cast.daemons;
    // Cai is nobody's contact.
    await exchangeContacts(me, ana, [ben]);
    roomId = await createRoomWith(me, ana, 'lunch', [ben]);
    otherRoom = await createRoomWith(me, ana, 'work', [ben]);
  }, 60_000);
  afterAll(() => removeAll(relay, [ana, ben, cai]));

  const search = (d: Daemon, params: object): Promise<SearchHit[]> =>
    d.call<SearchHit[]>('search', params);

  it('finds messages in any case, newest first, in one room or all, bounded', async () => {
    const { messageId: first } = await ana.call<{ messageId: string }>('send', {
      roomId,
      text: 'Lunch at NOON?',
    });
    await ben.call('send', { roomId: otherRoom, text: 'no lunch for me, sorry' });
    await ben.call('send', { roomId, text: 'École first, then lunch' });
    await ana.until('ben’s messages', async () =>
      (await textsOf(ana, roomId)).includes('École first, then lunch'),
    );
    await ana.until('ben’s other message', async () =>
      (await textsOf(ana, otherRoom)).includes('no lunch for me, sorry'),
    );

    const all = await search(ana, { text: 'LUNCH' });
    expect(all.map((h) => h.text)).toEqual([
      'École first, then lunch',
      'no lunch for me, sorry',
      'Lunch at NOON?',
    ]);
    expect(all[0]).toMatchObject({ roomId, roomName: 'lunch', senderName: 'ben' });
    expect(all[1]).toMatchObject({ roomId: otherRoom, roomName: 'work' });
    expect(all[2]).toMatchObject({ messageId: first, sender: me['ana']?.userId });
    expect(typeof all[0]?.ts).toBe('number');
    expect((await search(ana, { text: 'école', roomId })).map((h) => h.text)).toEqual([
      'École first, then lunch',
    ]);
    expect(await search(ana, { text: 'lunch', limit: 1 })).toHaveLength(1);
    expect(await search(ana, { text: 'supper' })).toEqual([]);

    // A retraction takes the message out of what is found, on every device.
    await ana.call('retract', { roomId, messageId: first });
    await ben.until(
      'the retraction',
      async () => (await search(ben, { text: 'noon' })).length === 0,
    );
    expect(await search(ana, { text: 'noon' })).toEqual([]);

    expect((await ana.rpc('search', { text: '   ' })).error?.code).toBe(-32602);
    expect((await ana.rpc('search', { text: 'x'.repeat(300) })).error?.code).toBe(-32602);
    expect((await cai.rpc('search', { text: 'lunch', roomId })).error?.code).toBe(1001);
    // Cai is in neither room: nothing to find.
    expect(await search(cai, { text: 'lunch' })).toEqual([]);
  });

  it('shows the same safety number on both sides, with a QR code, and keeps the mark', async () => {
    const anaSide = await ana.call<SafetyView>('safetyNumber', { userId: me['ben']?.userId });
    const benSide = await ben.call<SafetyView>('safetyNumber', { userId: me['ana']?.userId });
    expect(anaSide.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/u);
    expect(benSide.safetyNumber).toBe(anaSide.safetyNumber);
    expect(anaSide).toMatchObject({ displayName: 'ben', verified: false, verifiedAt: null });
    expect(anaSide.qr.length).toBeGreaterThan(10);
    expect(new Set(anaSide.qr.map((r) => r.length)).size).toBe(1);

    const marked = await ana.call<SafetyView>('setVerified', {
      userId: me['ben']?.userId,
      verified: true,
    });
    expect(marked).toMatchObject({ verified: true, devicesChanged: false });
    expect(typeof marked.verifiedAt).toBe('number');
    // Kept: asked again, still verified; only on ana's side.
    expect(
      (await ana.call<SafetyView>('safetyNumber', { userId: me['ben']?.userId })).verified,
    ).toBe(true);
    expect(
      (await ben.call<SafetyView>('safetyNumber', { userId: me['ana']?.userId })).verified,
    ).toBe(false);
    const unmarked = await ana.call<SafetyView>('setVerified', {
      userId: me['ben']?.userId,
      verified: false,
    });
    expect(unmarked.verified).toBe(false);

    const notContact = await ana.rpc('safetyNumber', { userId: me['cai']?.userId });
    expect(notContact.error).toMatchObject({ code: 1005, data: { kithCode: 'UNKNOWN_CONTACT' } });
    const self = await ana.rpc('safetyNumber', { userId: me['ana']?.userId });
    expect(self.error?.code).toBe(-32602);
  });
});
