import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { KithEvent } from '../../src/client/events.ts';
import type { RoomSession } from '../../src/client/room-session.ts';
import { SignalEngine } from '../../src/client/signal-engine.ts';
import type { MemberDevice } from '../../src/group/leaves.ts';
import type { DeviceId, RoomId, UserId } from '../../src/ids.ts';
import { decodeSignal, encodeSignal } from '../../src/signals/signal-codec.ts';
import { KvStore } from '../../src/storage/store.ts';

const [me, ben, cai] = ['ume', 'uben', 'ucai'] as UserId[] as [UserId, UserId, UserId];
const device = (name: string) => name as DeviceId;
const sender = (deviceId: string, userId: UserId) => ({ deviceId, userId }) as MemberDevice;

/** An engine on a fake clock, with a room of stand-in sessions (what the engine reads of one). */
async function setup() {
  let now = 1_000_000;
  const events: KithEvent[] = [];
  const sent: Uint8Array[] = [];
  const members = new Set(['me1', 'me2', 'ben1', 'cai1']);
  const blocked = new Set<UserId>();
  const reach = { anyone: true };
  const session = {
    roomId: 'r1' as RoomId,
    active: true,
    isMemberDevice: (d: DeviceId) => members.has(d),
    members: () => [...members].map((d) => ({ deviceId: d })),
    doc: { ownMeta: () => undefined, timeline: () => [] },
    publishSignal: (bytes: Uint8Array) => {
      sent.push(bytes);
      return Promise.resolve();
    },
  } as unknown as RoomSession;
  const engine = await SignalEngine.load({
    userId: me,
    deviceId: device('me1'),
    clock: { now: () => now },
    kv: await KvStore.open(new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions)),
    emit: (e) => events.push(e),
    hidden: (u) => blocked.has(u),
    anyoneThere: () => reach.anyone,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  return { engine, session, events, sent, members, blocked, advance, reach };
}

describe('the signal engine', () => {
  it('attributes a signal to its MLS sender: the payload names nobody', async () => {
    const { engine, session, events } = await setup();
    engine.receive(session, sender('ben1', ben), encodeSignal({ kind: 'typing', typing: true }));
    expect(engine.typing(session)).toEqual([ben]);
    // A field naming someone else is not read: the signal is still Ben's.
    engine.receive(session, sender('ben1', ben), encodeCbor([0, false, cai]));
    expect(engine.typing(session)).toEqual([]);
    expect(events.filter((e) => e.type === 'typing').map((e) => e.users)).toEqual([[ben], []]);
  });

  it('ignores kinds it does not know, and reports malformed ones', async () => {
    const { engine, session, events } = await setup();
    engine.receive(session, sender('ben1', ben), encodeCbor([9, 'a future signal']));
    expect(events).toEqual([]);
    engine.receive(session, sender('ben1', ben), encodeCbor([0, 'yes']));
    expect(events).toMatchObject([{ type: 'rejected', roomId: 'r1' }]);
    expect(engine.typing(session)).toEqual([]);
  });

  it('shows no signal from own devices, from devices out of the room, or from blocked users', async () => {
    const { engine, session, members, blocked } = await setup();
    const typing = encodeSignal({ kind: 'typing', typing: true });
    engine.receive(session, sender('me2', me), typing);
    members.delete('cai1');
    engine.receive(session, sender('cai1', cai), typing);
    expect(engine.typing(session)).toEqual([]);
    engine.receive(session, sender('ben1', ben), typing);
    blocked.add(ben);
    expect(engine.typing(session)).toEqual([]);
  });

  it('expires typing at a tick after 6 s, on its own clock', async () => {
    const { engine, session, events, advance } = await setup();
    engine.receive(session, sender('ben1', ben), encodeSignal({ kind: 'typing', typing: true }));
    advance(5_999);
    await engine.tick([session]);
    expect(engine.typing(session)).toEqual([ben]);
    advance(1);
    await engine.tick([session]);
    expect(engine.typing(session)).toEqual([]);
    expect(events.filter((e) => e.type === 'typing').map((e) => e.users)).toEqual([[ben], []]);
  });

  it('sends at most one typing signal per 3 s however often the app calls it', async () => {
    const { engine, session, sent, advance } = await setup();
    for (let i = 0; i < 100; i++) {
      await engine.setTyping(session, true);
      advance(100);
    }
    await engine.setTyping(session, false);
    // 10 s of typing: at 0, 3, 6 and 9 s; then "stopped".
    expect(sent.map((b) => decodeSignal(b))).toEqual([
      ...Array.from({ length: 4 }, () => ({ kind: 'typing', typing: true })),
      { kind: 'typing', typing: false },
    ]);
  });

  it('sends nothing while no device of the room is connected; presence once one is', async () => {
    const { engine, session, sent, advance, reach } = await setup();
    reach.anyone = false;
    await engine.setTyping(session, true);
    await engine.setPresence('online', [session]);
    await engine.tick([session]);
    expect(sent).toEqual([]);
    reach.anyone = true;
    engine.peerReachable(session);
    await engine.tick([session]);
    expect(sent.map((b) => decodeSignal(b))).toEqual([
      { kind: 'presence', state: 'online', ttlMs: 150_000 },
    ]);
    // Another device comes within reach: it hears a refresh a quarter interval later.
    engine.peerReachable(session);
    advance(14_000);
    await engine.tick([session]);
    expect(sent).toHaveLength(1);
    advance(1_000);
    await engine.tick([session]);
    expect(sent).toHaveLength(2);
  });

  it('keeps its settings in storage', async () => {
    const { engine, session, sent } = await setup();
    await engine.setSettings({ typing: false }, [session]);
    await engine.setTyping(session, true);
    expect(sent).toEqual([]);
    expect(engine.settings).toEqual({
      readReceipts: true,
      deliveryReceipts: true,
      typing: false,
      presence: true,
    });
  });
});
