import type { KithEvent, RoomId, UserId } from '@kith/core';
import { describe, expect, it } from 'vitest';
import type { MessageView, RoomView } from '../../src/app/views.ts';
import { resolveUser } from '../../src/tui/resolve-user.ts';
import { SystemLog, type RoomSource, type SystemItem } from '../../src/app/system-log.ts';
import { buildTimeline, roomItem } from '../../src/tui/timeline.ts';
import { messageView } from './fixtures.ts';

// Real-looking IDs: `u` and 52 base32 characters.
const ANA = `u${'a'.repeat(52)}` as UserId;
const BEN = `u${'b'.repeat(52)}` as UserId;
const BEN2 = `u${'b'.repeat(20)}${'c'.repeat(32)}` as UserId;

function view(id: string, sender: UserId, text: string, extra: Partial<MessageView> = {}) {
  return messageView(id, sender, text, {
    senderName: sender === ANA ? 'ana' : 'ben',
    ts: 1000,
    ...extra,
  });
}

describe('buildTimeline', () => {
  it('numbers messages from the oldest and finds the message each reply quotes', () => {
    const items = buildTimeline(
      [
        view('m1', ANA, 'lunch?', { reactions: { '👍': [BEN, ANA], '🎉': [BEN], '😢': [] } }),
        view('m2', BEN, 'yes', { replyTo: 'm1' }),
        view('m3', BEN, '', { replyTo: 'gone', retracted: true }),
        view('m4', ANA, 'hm', { replyTo: 'm3' }),
      ],
      [],
      ANA,
    );
    expect(items).toMatchObject([
      {
        n: 1,
        mine: true,
        reactions: [
          ['👍', 2],
          ['🎉', 1],
        ],
      },
      { n: 2, mine: false, quote: { senderName: 'ana', text: 'lunch?' } },
      { n: 3, retracted: true, quote: { missing: true } },
      { n: 4, quote: { senderName: 'ben', text: '(deleted)' } },
    ]);
  });

  it('numbers a thread’s messages as the whole room does, so /reply N means one message', () => {
    const thread = [view('m2', BEN, 'in thread'), view('m5', ANA, 'reply')];
    const numbers = new Map([
      ['m1', 1],
      ['m2', 2],
      ['m5', 5],
    ]);
    const items = buildTimeline(thread, [], ANA, { nameOf: () => undefined, numbers });
    expect(items.map((i) => (i.kind === 'message' ? i.n : 0))).toEqual([2, 5]);
  });

  it('places system lines among messages by time, keeping message order', () => {
    const items = buildTimeline(
      [
        view('m1', ANA, 'a', { ts: 10 }),
        view('m2', BEN, 'b', { ts: 5 }),
        view('m3', BEN, 'c', { ts: 30 }),
      ],
      [
        { kind: 'system', ts: 40, text: 'late' },
        { kind: 'system', ts: 1, text: 'early' },
        { kind: 'system', ts: 20, text: 'middle' },
      ],
      ANA,
    );
    expect(items.map((i) => (i.kind === 'system' ? i.text : `#${i.n}`))).toEqual([
      'early',
      '#1',
      '#2',
      'middle',
      '#3',
      'late',
    ]);
  });
});

describe('roomItem', () => {
  const room = (extra: Partial<RoomView>): RoomView => ({
    roomId: 'r',
    name: '',
    topic: '',
    avatar: null,
    history: 'all',
    disappearAfterMs: null,
    withheld: 0,
    dm: false,
    active: true,
    members: [
      { userId: ANA, displayName: 'ana', role: 'owner' },
      { userId: BEN, displayName: 'ben', role: 'member' },
    ],
    unread: 2,
    mentions: false,
    ...extra,
  });

  it('names a DM after the other person, and an unnamed group after its members', () => {
    expect(roomItem(room({ dm: true }), ANA).label).toBe('DM with ben');
    expect(roomItem(room({ name: 'team' }), ANA)).toMatchObject({ label: 'team', unread: 2 });
    expect(roomItem(room({}), ANA).label).toBe('ben');
    expect(roomItem(room({ members: [] }), ANA).label).toBe('(unnamed room)');
  });
});

describe('resolveUser', () => {
  const people = [
    { userId: ANA, displayName: 'Ana' },
    { userId: BEN, displayName: 'ben' },
    { userId: BEN2, displayName: 'Ben' },
  ];

  it('takes a user ID, a unique name in any case, or a short ID', () => {
    expect(resolveUser(ANA, [])).toEqual({ ok: true, userId: ANA });
    expect(resolveUser('ana', people)).toEqual({ ok: true, userId: ANA });
    expect(resolveUser('u:aaaa-aaaa', people)).toEqual({ ok: true, userId: ANA });
  });

  it('refuses a name two people share, and says how to find people', () => {
    const shared = resolveUser('BEN', people);
    expect(shared.ok).toBe(false);
    expect(!shared.ok && shared.error).toContain('2 people are called "BEN"');
    const short = resolveUser('u:bbbb', people);
    expect(!short.ok && short.error).toContain('fits several people');
    const nobody = resolveUser('cai', people);
    expect(!nobody.ok && nobody.error).toContain('/contacts');
  });

  it('counts one person once, whatever lists they are in', () => {
    expect(resolveUser('ana', [...people, { userId: ANA, displayName: 'ana' }])).toEqual({
      ok: true,
      userId: ANA,
    });
  });
});

describe('SystemLog', () => {
  /** An engine stand-in: rooms whose participants the test sets, and events it emits. */
  function fakeSource() {
    const handlers = new Map<string, ((e: KithEvent) => void)[]>();
    const rooms = new Map<
      string,
      { participants: { userId: UserId; role: string }[]; name: string; topic: string }
    >();
    const source = {
      on: (type: string, handler: (e: KithEvent) => void) => {
        handlers.set(type, [...(handlers.get(type) ?? []), handler]);
        return () => undefined;
      },
      room: (id: string) => rooms.get(id),
      rooms: () => [...rooms.keys()].map((roomId) => ({ roomId })),
      // This device is Ana's.
      userId: ANA,
    };
    const emit = (e: KithEvent): void => {
      for (const h of handlers.get(e.type) ?? []) h(e);
    };
    return { source: source as unknown as RoomSource, rooms, emit };
  }

  it('says who joined, left, was banned, changed role, and what the room became', () => {
    const { source, rooms, emit } = fakeSource();
    const roomId = 'r1' as RoomId;
    rooms.set(roomId, { participants: [{ userId: ANA, role: 'owner' }], name: 'team', topic: '' });
    let now = 100;
    const log = new SystemLog(
      source,
      (u) => (u === ANA ? 'ana' : 'ben'),
      () => now++,
    );
    const set = (
      participants: { userId: UserId; role: string }[],
      name = 'team',
      topic = '',
    ): void => {
      rooms.set(roomId, { participants, name, topic });
    };
    const membership = (added: UserId[], removed: UserId[]) =>
      ({
        type: 'membership',
        roomId,
        added,
        removed,
        left: [],
        by: ANA,
        room: undefined,
      }) as unknown as KithEvent;
    const roomEvent = { type: 'room', roomId, room: undefined } as unknown as KithEvent;

    set([
      { userId: ANA, role: 'owner' },
      { userId: BEN, role: 'member' },
    ]);
    emit(membership([BEN], []));
    set([
      { userId: ANA, role: 'owner' },
      { userId: BEN, role: 'moderator' },
    ]);
    emit(roomEvent);
    set(
      [
        { userId: ANA, role: 'owner' },
        { userId: BEN, role: 'moderator' },
      ],
      'lunch',
      'noon',
    );
    emit(roomEvent);
    set(
      [
        { userId: ANA, role: 'owner' },
        { userId: BEN, role: 'banned' },
      ],
      'lunch',
      'noon',
    );
    emit(membership([], [BEN]));
    set([{ userId: ANA, role: 'owner' }], 'lunch', '');
    emit(roomEvent);
    emit({ type: 'left', roomId });

    expect(log.lines(roomId).map((l) => l.text)).toEqual([
      'ben joined',
      'ben is now moderator',
      'room renamed to "lunch"',
      'topic: noon',
      'you banned ben',
      'ben was unbanned',
      'topic cleared',
      'you are no longer in this room',
    ]);
    expect(log.lines(roomId).map((l) => l.ts)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(log.lines('other')).toEqual([]);
  });

  it('tells a leave from a removal and a ban, and says who removed whom', () => {
    const { source, rooms, emit } = fakeSource();
    const roomId = 'r2' as RoomId;
    const ana = { userId: ANA, role: 'owner' };
    const cai = { userId: BEN2, role: 'member' };
    const everyone = [ana, { userId: BEN, role: 'member' }, cai];
    rooms.set(roomId, { participants: everyone, name: 'team', topic: '' });
    const log = new SystemLog(
      source,
      (u) => (u === ANA ? 'ana' : u === BEN ? 'ben' : 'cai'),
      () => 1,
    );
    const out = (removed: UserId, left: UserId[], by: UserId | undefined): void => {
      emit({
        type: 'membership',
        roomId,
        added: [],
        removed: [removed],
        left,
        by,
      } as unknown as KithEvent);
    };
    // Ben left (a device of Ana's committed his proposals): not "ana removed ben".
    rooms.set(roomId, { participants: [ana, cai], name: 'team', topic: '' });
    out(BEN, [BEN], ANA);
    // Cai removed Ben's second account, then someone banned it.
    out(BEN2, [], BEN);
    rooms.set(roomId, {
      participants: [ana, { userId: BEN2, role: 'banned' }],
      name: 'team',
      topic: '',
    });
    out(BEN2, [], undefined);
    expect(log.lines(roomId).map((l) => l.text)).toEqual([
      'ben left',
      'ben removed cai',
      'cai was banned',
    ]);
    // Nothing here is about this device: it is still in.
    expect(log.departure(roomId)).toBeUndefined();
  });

  it('says how this device came to be out, once, and forgets it when it joins again', () => {
    const { source, rooms, emit } = fakeSource();
    const roomId = 'r4' as RoomId;
    rooms.set(roomId, { participants: [{ userId: ANA, role: 'member' }], name: 't', topic: '' });
    const log = new SystemLog(
      source,
      (u) => (u === ANA ? 'ana' : 'ben'),
      () => 1,
    );
    const gone = (left: UserId[], by: UserId): void => {
      emit({
        type: 'membership',
        roomId,
        added: [],
        removed: [ANA],
        left,
        by,
      } as unknown as KithEvent);
      emit({ type: 'left', roomId });
    };
    gone([], BEN);
    expect(log.departure(roomId)).toBe('removed');
    emit({ type: 'joined', roomId } as KithEvent);
    expect(log.departure(roomId)).toBeUndefined();
    gone([ANA], BEN);
    expect(log.departure(roomId)).toBe('left');
    // A `left` with no membership line before it says only that.
    emit({ type: 'left', roomId });
    expect(log.lines(roomId).map((l) => l.text)).toEqual([
      'ben removed you',
      'you joined',
      'you left',
      'you are no longer in this room',
    ]);
    expect(log.departure(roomId)).toBe('left');
  });

  it('keeps its lines in its store, and a later run shows them (a restart)', () => {
    const { source, rooms, emit } = fakeSource();
    const roomId = 'r3' as RoomId;
    const ana = [{ userId: ANA, role: 'owner' }];
    rooms.set(roomId, { participants: ana, name: 'team', topic: '' });
    const saved = new Map<string, readonly SystemItem[]>();
    const store = {
      kept: new Map<string, readonly SystemItem[]>(),
      save: (id: string, lines: readonly SystemItem[]) => {
        saved.set(id, structuredClone(lines));
      },
    };
    const first = new SystemLog(
      source,
      (u) => (u === ANA ? 'ana' : 'ben'),
      () => 5,
      store,
    );
    rooms.set(roomId, {
      participants: [...ana, { userId: BEN, role: 'member' }],
      name: 'team',
      topic: '',
    });
    emit({
      type: 'membership',
      roomId,
      added: [BEN],
      removed: [],
      left: [],
      by: ANA,
      room: undefined,
    } as unknown as KithEvent);
    first.close();
    expect(saved.get(roomId)).toEqual([{ kind: 'system', ts: 5, text: 'ben joined' }]);

    const again = fakeSource();
    const second = new SystemLog(
      again.source,
      () => 'x',
      () => 9,
      { kept: saved, save: () => undefined },
    );
    expect(second.lines(roomId)).toEqual([{ kind: 'system', ts: 5, text: 'ben joined' }]);
  });
});
