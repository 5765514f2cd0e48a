import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceView, ReceiptsView, SignalsView, StatusView } from '../../src/app/signals.ts';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import { createRoomWith, exchangeContacts, messagesOf, removeAll, startDaemons } from './cast.ts';

describe('receipts, typing and presence between daemons and a relay', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let dan: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben', 'cai', 'dan']);
    ({ relay, me } = cast);
    [ana, ben, cai, dan] = cast.daemons;
    await exchangeContacts(me, ana, [ben, cai, dan]);
    roomId = await createRoomWith(me, ana, 'signals', [ben, cai]);
  }, 60_000);
  afterAll(() => removeAll(relay, [ana, ben, cai, dan]));

  const id = (name: string): string => me[name]?.userId ?? '';
  const receipts = (d: Daemon, messageId: string): Promise<ReceiptsView> =>
    d.call<ReceiptsView>('receipts', { roomId, messageId });
  const users = (people: readonly { userId: string }[]): string[] =>
    people.map((p) => p.userId).sort();
  /** Messages without marking the room read (only `markRead` does, in these tests). */
  const peek = (d: Daemon): Promise<MessageView[]> => messagesOf(d, roomId, { markRead: false });

  it('delivered, then read receipts reach the sender', async () => {
    const { messageId } = await ana.call<{ messageId: string }>('send', {
      roomId,
      text: 'did you get this?',
    });
    await ana.until('delivered to ben and cai', async () => {
      const r = await receipts(ana, messageId);
      return r.deliveredTo.length === 2;
    });
    let r = await receipts(ana, messageId);
    expect(users(r.deliveredTo)).toEqual([id('ben'), id('cai')].sort());
    expect(r.readBy).toEqual([]);
    expect((await peek(ana)).find((m) => m.messageId === messageId)).toMatchObject({
      deliveredTo: 2,
      readBy: 0,
    });

    await ben.call('markRead', { roomId, messageId });
    await ana.until('read by ben', async () => (await receipts(ana, messageId)).readBy.length > 0);
    r = await receipts(ana, messageId);
    expect(users(r.readBy)).toEqual([id('ben')]);
    expect(r.deliveredTo.map((p) => p.displayName).sort()).toEqual(['ben', 'cai']);
    // Every member sees the same receipts, and nobody's devices are listed for their own message.
    await cai.until('ben’s read marker', async () =>
      (await receipts(cai, messageId)).readBy.some((p) => p.userId === id('ben')),
    );
  });

  it('typing shows, and expires without a refresh; "stopped" ends it at once', async () => {
    const typing = async (d: Daemon): Promise<string[]> =>
      users((await d.call<{ users: { userId: string }[] }>('typing', { roomId })).users);
    await ben.call('setTyping', { roomId, typing: true });
    await ana.until('ben typing', async () => (await typing(ana)).includes(id('ben')));
    // Ben's keystrokes stop (no refresh, no "stopped"): ana's device lets it run out.
    await ana.until('ben no longer typing', async () => (await typing(ana)).length === 0);

    await cai.call('setTyping', { roomId, typing: true });
    await ana.until('cai typing', async () => (await typing(ana)).includes(id('cai')));
    await cai.call('setTyping', { roomId, typing: false });
    await ana.until('cai stopped', async () => (await typing(ana)).length === 0);
    // The ephemeral plane stored nothing: no message appeared.
    expect((await peek(ana)).map((m) => m.text)).toEqual(['did you get this?']);
  });

  it('shows presence, and changes to it', async () => {
    const presence = async (d: Daemon, who: string): Promise<PresenceView | undefined> =>
      (await d.call<PresenceView[]>('presence', { userId: id(who) }))[0];
    await ana.until('ben online', async () => (await presence(ana, 'ben'))?.state === 'online');
    await ben.call('setPresence', { state: 'away' });
    await ana.until('ben away', async () => (await presence(ana, 'ben'))?.state === 'away');
    expect((await presence(ana, 'ben'))?.displayName).toBe('ben');
    const bad = await ben.rpc('setPresence', { state: 'invisible' });
    expect(bad.error?.code).toBe(-32602);
  });

  it('turning receipts off stops them; the member still sees others’ receipts', async () => {
    const settings = await ben.call<SignalsView>('setSignals', {
      readReceipts: false,
      deliveryReceipts: false,
    });
    expect(settings).toEqual({
      readReceipts: false,
      deliveryReceipts: false,
      typing: true,
      presence: true,
    });
    const { messageId } = await ana.call<{ messageId: string }>('send', { roomId, text: 'psst' });
    await ben.until('the message', async () =>
      (await peek(ben)).some((m) => m.messageId === messageId),
    );
    // With read receipts on, this would be published at once (no marker was written for
    // seconds); with them off it stays on ben's device.
    await ben.call('markRead', { roomId, messageId });
    const { messageId: after } = await ben.call<{ messageId: string }>('send', {
      roomId,
      text: 'sent after reading',
    });
    // Cai still sends receipts: once cai's delivery marker and ben's later message are in, a
    // marker ben had written would be too (a device's updates arrive in order).
    await ana.until('cai’s receipt and ben’s message', async () => {
      const r = await receipts(ana, messageId);
      return (
        r.deliveredTo.some((p) => p.userId === id('cai')) &&
        (await peek(ana)).some((m) => m.messageId === after)
      );
    });
    const r = await receipts(ana, messageId);
    expect(users(r.deliveredTo)).toEqual([id('cai')]);
    expect(r.readBy).toEqual([]);
    // Ben's own view: the room is read on ben's device, and cai's receipt shows there too.
    expect((await ben.call<RoomView[]>('rooms')).find((x) => x.roomId === roomId)?.unread).toBe(0);
    await ben.until('cai’s receipt on ben', async () =>
      (await receipts(ben, messageId)).deliveredTo.some((p) => p.userId === id('cai')),
    );
  });

  it('an own message goes stored (the relay acknowledged it), delivered, then read', async () => {
    await cai.call('setSignals', { readReceipts: false, deliveryReceipts: false });
    const { messageId } = await ana.call<{ messageId: string }>('send', { roomId, text: 'status' });
    const status = (d: Daemon): Promise<StatusView | null> =>
      d.call<StatusView | null>('messageStatus', { roomId, messageId });
    // Stored comes with the relay's acknowledgement; the members' next sync hellos, which name
    // the update with its hash, then count as delivered whatever their receipt settings: so
    // 'stored' may already have moved on (each state in order is the core's test).
    const past = (states: readonly string[]) => async () =>
      states.includes((await status(ana))?.state ?? '');
    await ana.until('stored on the relay', past(['stored', 'delivered']));
    expect(await status(ana)).toMatchObject({ devices: 2, readBy: 0 });
    // Nobody else has a status for it; `messages` carries it on the sender's side only.
    expect(await status(ben)).toBeNull();
    const shown = (await peek(ana)).find((m) => m.messageId === messageId)?.status?.state;
    expect(['stored', 'delivered']).toContain(shown);

    await cai.call('setSignals', { deliveryReceipts: true });
    await ana.until('delivered to cai', past(['delivered']));
    expect(await status(ana)).toMatchObject({ devices: 2, readBy: 0 });
    await cai.call('setSignals', { readReceipts: true });
    await cai.call('markRead', { roomId, messageId });
    await ana.until('read by cai', async () => (await status(ana))?.state === 'read');
    expect(await status(ana)).toMatchObject({ state: 'read', readBy: 1 });
  });

  it('a device outside the room cannot read its receipts, nor one removed from it', async () => {
    const [first] = await peek(ana);
    const messageId = first?.messageId ?? '';
    const outside = await dan.rpc('receipts', { roomId, messageId });
    expect(outside.error).toMatchObject({ code: 1001, data: { kithCode: 'UNKNOWN_ROOM' } });
    const typingOutside = await dan.rpc('typing', { roomId });
    expect(typingOutside.error?.code).toBe(1001);

    await ana.call('remove', { roomId, userId: id('cai') });
    await cai.until('cai removed', async () =>
      (await cai.call<RoomView[]>('rooms')).some((x) => x.roomId === roomId && !x.active),
    );
    const removed = await cai.rpc('receipts', { roomId, messageId });
    expect(removed.error).toMatchObject({ code: 1002, data: { kithCode: 'NOT_IN_ROOM' } });
  });
});
