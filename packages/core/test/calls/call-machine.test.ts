import { describe, expect, it } from 'vitest';
import { CallTimings } from '../../src/calls/call-types.ts';
import { callId, CallNet, ROOM } from './call-net.ts';

const ID = callId(9);

/** User 1 (device 1) and user 2 with devices 2 and 3. */
function dm(): {
  net: CallNet;
  a: ReturnType<CallNet['add']>;
  b2: ReturnType<CallNet['add']>;
  b3: ReturnType<CallNet['add']>;
} {
  const net = new CallNet();
  const a = net.add(1, 1);
  const b2 = net.add(2, 2);
  const b3 = net.add(2, 3);
  return { net, a, b2, b3 };
}

const peersIn = (net: CallNet, d: ReturnType<CallNet['add']>, state: string): string[] =>
  (net.viewOf(d, ID)?.peers ?? []).filter((p) => p.state === state).map((p) => p.device);

describe('1:1 calls', () => {
  it('rings every device of the callee; one answers, the other stops; media connects', () => {
    const { net, a, b2, b3 } = dm();
    expect(net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now))).toEqual({ ok: true });
    net.deliver();
    expect([net.phase(a), net.phase(b2), net.phase(b3)]).toEqual([
      'outgoing',
      'incoming',
      'incoming',
    ]);
    expect(peersIn(net, a, 'ringing').sort()).toEqual([b2, b3].sort());

    expect(net.act(b3, (m) => m.accept(ID, net.now))).toEqual({ ok: true });
    net.deliver();
    expect(net.phase(a)).toBe('connected');
    expect(net.phase(b3)).toBe('connected');
    expect(net.phase(b2)).toBe('ended:answered-elsewhere');
    expect(net.media.get(b2)).toEqual([]);
    // B2 hears the rest of the call on the room's plane, and ignores it.
    expect(net.refusals.filter((r) => r.device !== b2)).toEqual([]);
    expect(new Set(net.refusals.map((r) => (r.result.ok ? 'ok' : r.result.refusal)))).toEqual(
      new Set(['not-for-me']),
    );

    net.act(a, (m) => m.hangup(ID));
    net.deliver();
    expect(net.phase(a)).toBe('ended:hangup');
    expect(net.phase(b3)).toBe('ended:hangup');
    expect(net.media.get(b3)?.at(-1)).toBe(`close ${a}`);
    expect(net.missed).toEqual([]);
  });

  it('two devices of the callee answering at once: exactly one call, in either order', () => {
    for (const order of ['fifo', 'lifo'] as const) {
      const { net, a, b2, b3 } = dm();
      net.act(a, (m) => m.invite(ROOM, ID, 'video', false, net.now));
      net.deliver();
      net.act(b2, (m) => m.accept(ID, net.now));
      net.act(b3, (m) => m.accept(ID, net.now));
      net.deliver(order === 'fifo' ? () => 0 : (q) => q.length - 1);
      const phases = [net.phase(b2), net.phase(b3)].sort();
      expect(phases, order).toEqual(['connected', 'ended:answered-elsewhere']);
      expect(net.phase(a)).toBe('connected');
      expect(peersIn(net, a, 'connected')).toHaveLength(1);
    }
  });

  it('a decline on one device of the callee ends the call everywhere', () => {
    const { net, a, b2, b3 } = dm();
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now));
    net.deliver();
    net.act(b2, (m) => m.decline(ID));
    net.deliver();
    expect([net.phase(a), net.phase(b2), net.phase(b3)]).toEqual([
      'ended:declined',
      'ended:declined',
      'ended:declined',
    ]);
    expect(net.missed).toEqual([]);
  });

  it('busy when every device of the callee is in another call', () => {
    const net = new CallNet();
    const a = net.add(1, 1);
    const b = net.add(2, 2);
    const c = net.add(3, 3);
    net.act(c, (m) => m.invite(ROOM, callId(1), 'audio', true, net.now));
    net.deliver();
    net.act(b, (m) => m.accept(callId(1), net.now));
    net.deliver();
    // A is ringing for C's call; it ignores it and calls B 1:1 in the same room.
    net.act(a, (m) => m.decline(callId(1)));
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now));
    net.deliver();
    expect(net.viewOf(a, ID)?.endReason).toBe('busy');
    expect(net.viewOf(b, callId(1))?.phase).toBe('connected');
  });

  it('nobody answers: after the ring time the call is missed, once, on every device', () => {
    const { net, a, b2, b3 } = dm();
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now));
    net.deliver();
    net.tick(CallTimings.ringMs - 1);
    expect([net.phase(a), net.phase(b2)]).toEqual(['outgoing', 'incoming']);
    net.tick(1);
    net.deliver();
    expect([net.phase(a), net.phase(b2), net.phase(b3)]).toEqual([
      'ended:missed',
      'ended:missed',
      'ended:missed',
    ]);
    expect(net.missed).toEqual([{ device: a, callId: ID }]);
    // A late answer finds nothing to answer.
    expect(net.act(b2, (m) => m.accept(ID, net.now))).toEqual({
      ok: false,
      refusal: 'wrong-phase',
    });
  });

  it('the caller giving up before an answer is a missed call too', () => {
    const { net, a, b2 } = dm();
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now));
    net.deliver();
    net.act(a, (m) => m.hangup(ID));
    net.deliver();
    expect([net.phase(a), net.phase(b2)]).toEqual(['ended:missed', 'ended:missed']);
    expect(net.missed).toHaveLength(1);
  });

  it('media that never connects fails after the connect time', () => {
    const { net, a, b2 } = dm();
    net.autoMedia = false;
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now));
    net.deliver();
    net.act(b2, (m) => m.accept(ID, net.now));
    net.deliver();
    expect(net.phase(a)).toBe('connecting');
    net.tick(CallTimings.connectMs);
    net.deliver();
    expect(net.phase(a)).toBe('ended:failed');
    expect(net.phase(b2)).toBe('ended:failed');
  });
});

describe('a member bypassing its own client', () => {
  it('an offer without a DTLS fingerprint, from the wrong side of the pair, or for another device is refused', () => {
    const { net, a, b2, b3 } = dm();
    net.autoMedia = false;
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', false, net.now));
    net.deliver();
    net.act(b2, (m) => m.accept(ID, net.now));
    net.deliver();
    expect(net.phase(b2)).toBe('connecting');
    const [low, high] = a < b2 ? [a, b2] : [b2, a];
    const before = net.refusals.length;
    const sdp = 'v=0\r\na=fingerprint:sha-256 0A:1B\r\n';
    net.inject(low, { kind: 'offer', callId: ID, to: high, sdp: 'v=0\r\n' });
    net.inject(high, { kind: 'offer', callId: ID, to: low, sdp });
    net.inject(low, { kind: 'offer', callId: ID, to: b3, sdp });
    net.deliverWhere((e) => e.to === high || e.to === low);
    expect(net.refusals.slice(before).map((r) => (r.result.ok ? 'ok' : r.result.refusal))).toEqual([
      'no-fingerprint',
      'wrong-phase',
      'not-for-me',
    ]);
    expect(net.media.get(high)?.some((x) => x.startsWith('accept-offer'))).toBe(false);
  });

  it('a decline or hangup for a call this device does not know changes nothing', () => {
    const { net, a, b2 } = dm();
    net.inject(b2, { kind: 'hangup', callId: ID, reason: 'normal', to: undefined });
    net.inject(b2, { kind: 'answered', callId: ID, device: a });
    net.deliver();
    expect(net.machine(a).current()).toBeUndefined();
  });
});

describe('glare: two invites cross', () => {
  for (const order of ['a first', 'b first'] as const) {
    it(`the lower call ID wins on both sides (${order})`, () => {
      const net = new CallNet();
      const a = net.add(1, 1);
      const b = net.add(2, 2);
      const low = callId(3);
      const high = callId(5);
      net.act(a, (m) => m.invite(ROOM, high, 'audio', false, net.now));
      net.act(b, (m) => m.invite(ROOM, low, 'audio', false, net.now));
      // Both invites are on the wire before either arrives.
      net.deliver(order === 'a first' ? () => 0 : (q) => q.length - 1);
      expect(net.viewOf(a, low)?.phase).toBe('connected');
      expect(net.viewOf(b, low)?.phase).toBe('connected');
      expect(net.viewOf(a, high)?.endReason).toBe('merged');
      expect(net.missed).toEqual([]);
    });
  }
});

describe('any arrival order', () => {
  /** A seeded pick: the same shuffle on every run. */
  const shuffled = (seed: number) => {
    let x = seed;
    return (q: readonly unknown[]): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % q.length;
    };
  };

  it("glare: the same call wins on both sides, and the callee's other device stops, in 30 orders", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { net, a, b2, b3 } = dm();
      net.act(a, (m) => m.invite(ROOM, callId(7), 'audio', false, net.now));
      net.act(b2, (m) => m.invite(ROOM, callId(2), 'audio', false, net.now));
      net.deliver(shuffled(seed));
      const live = [a, b2, b3].filter((d) => net.viewOf(d, callId(2))?.phase === 'connected');
      expect(live, `seed ${seed}`).toContain(a);
      expect(live, `seed ${seed}`).toHaveLength(2);
      expect(net.viewOf(a, callId(7))?.endReason, `seed ${seed}`).toBe('merged');
      // B3 rang for A's call, which lost: it stops (or, the hangup first, never rang).
      const atB3 = net.viewOf(b3, callId(7));
      expect(atB3 === undefined || atB3.endReason === 'merged', `seed ${seed}`).toBe(true);
      expect(net.missed, `seed ${seed}`).toEqual([]);
    }
  });
});

describe('a group mesh in any arrival order', () => {
  it('four devices joining at once all connect to each other, in 20 orders', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const net = new CallNet();
      const devices = [1, 2, 3, 4].map((i) => net.add(i, i));
      const [first, ...rest] = devices;
      if (first === undefined) throw new Error('no devices');
      net.act(first, (m) => m.invite(ROOM, ID, 'audio', true, net.now));
      net.deliver();
      for (const d of rest) net.act(d, (m) => m.accept(ID, net.now));
      let x = seed;
      net.deliver((q) => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return x % q.length;
      });
      for (const d of devices) expect(peersIn(net, d, 'connected'), `seed ${seed}`).toHaveLength(3);
    }
  });
});

describe('group calls', () => {
  function group(n: number): { net: CallNet; devices: ReturnType<CallNet['add']>[] } {
    const net = new CallNet();
    const devices = Array.from({ length: n }, (_, i) => net.add(i + 1, i + 1));
    return { net, devices };
  }

  it('every member that joins connects to every other one (full mesh)', () => {
    const { net, devices } = group(4);
    const [first, ...rest] = devices;
    if (first === undefined) throw new Error('no devices');
    net.act(first, (m) => m.invite(ROOM, ID, 'audio', true, net.now));
    net.deliver();
    for (const d of rest) net.act(d, (m) => m.accept(ID, net.now));
    net.deliver((q) => q.length - 1);
    for (const d of devices) {
      expect(net.phase(d)).toBe('connected');
      expect(peersIn(net, d, 'connected')).toHaveLength(3);
    }
    // One leaves; the others go on without it.
    const [, leaver] = devices;
    if (leaver === undefined) throw new Error('no devices');
    net.act(leaver, (m) => m.hangup(ID));
    net.deliver();
    for (const d of devices.filter((x) => x !== leaver)) {
      expect(net.phase(d)).toBe('connected');
      expect(peersIn(net, d, 'connected')).toHaveLength(2);
    }
  });

  it('a user joining on one device stops the ringing on its others', () => {
    const net = new CallNet();
    const a = net.add(1, 1);
    const b2 = net.add(2, 2);
    const b3 = net.add(2, 3);
    const c = net.add(3, 4);
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', true, net.now));
    net.deliver();
    expect([net.phase(b2), net.phase(b3), net.phase(c)]).toEqual([
      'incoming',
      'incoming',
      'incoming',
    ]);
    net.act(b3, (m) => m.accept(ID, net.now));
    net.deliver();
    expect(net.phase(b2)).toBe('ended:answered-elsewhere');
    expect(net.phase(c)).toBe('incoming');
    expect(net.phase(b3)).toBe('connected');
  });

  it('a video mesh stops at 4: a fifth is refused, locally or by the members', () => {
    const { net, devices } = group(6);
    const [first, d2, d3, d4, d5, d6] = devices;
    if (!first || !d2 || !d3 || !d4 || !d5 || !d6) throw new Error('no devices');
    net.act(first, (m) => m.invite(ROOM, ID, 'video', true, net.now));
    net.deliver();
    for (const d of [d2, d3, d4]) net.act(d, (m) => m.accept(ID, net.now));
    // Everyone but d6 hears the three join; d6 answers before it has: the members refuse it.
    net.deliverWhere((e) => e.to !== d6);
    net.act(d6, (m) => m.accept(ID, net.now));
    net.deliver();
    expect(net.act(d5, (m) => m.accept(ID, net.now))).toEqual({ ok: false, refusal: 'call-full' });
    for (const d of [first, d2, d3, d4]) expect(peersIn(net, d, 'connected')).toHaveLength(3);
    expect(net.phase(d6)).toBe('ended:full');
  });

  it('newcomers racing for the last places: nobody ends above the limit', () => {
    for (const order of ['fifo', 'lifo'] as const) {
      const { net, devices } = group(6);
      const [first, ...rest] = devices;
      if (first === undefined) throw new Error('no devices');
      net.act(first, (m) => m.invite(ROOM, ID, 'video', true, net.now));
      net.deliver();
      for (const d of rest) net.act(d, (m) => m.accept(ID, net.now));
      net.deliver(order === 'fifo' ? () => 0 : (q) => q.length - 1);
      const live = devices.filter((d) => !(net.phase(d) ?? '').startsWith('ended'));
      expect(live.length, order).toBeGreaterThanOrEqual(2);
      for (const d of live)
        expect(peersIn(net, d, 'connected').length, order).toBeLessThanOrEqual(3);
      for (const d of devices.filter((x) => !live.includes(x)))
        expect(net.phase(d)).toBe('ended:full');
    }
  });

  it('an audio mesh takes 8', () => {
    const { net, devices } = group(9);
    const [first, ...rest] = devices;
    if (first === undefined) throw new Error('no devices');
    net.act(first, (m) => m.invite(ROOM, ID, 'audio', true, net.now));
    net.deliver();
    for (const d of rest.slice(0, 7)) net.act(d, (m) => m.accept(ID, net.now));
    net.deliver();
    expect(peersIn(net, first, 'connected')).toHaveLength(7);
    const ninth = rest[7];
    if (ninth === undefined) throw new Error('no devices');
    expect(net.act(ninth, (m) => m.accept(ID, net.now))).toEqual({
      ok: false,
      refusal: 'call-full',
    });
  });

  it('a removed member leaves the call and its signals are refused', () => {
    const { net, devices } = group(3);
    const [a, b, c] = devices;
    if (a === undefined || b === undefined || c === undefined) throw new Error('no devices');
    net.act(a, (m) => m.invite(ROOM, ID, 'audio', true, net.now));
    net.deliver();
    net.act(b, (m) => m.accept(ID, net.now));
    net.act(c, (m) => m.accept(ID, net.now));
    net.deliver();
    expect(peersIn(net, a, 'connected')).toHaveLength(2);
    net.remove(c);
    expect(peersIn(net, a, 'connected')).toEqual([b]);
    expect(net.media.get(a)?.at(-1)).toBe(`close ${c}`);
    expect(net.phase(c)).toBe('ended:removed');
    // C's client keeps going, as a modified client would: everyone refuses it.
    const before = net.refusals.length;
    net.inject(c, { kind: 'ice', callId: ID, to: a, candidate: 'candidate:x', mid: undefined });
    net.inject(c, { kind: 'accept', callId: ID });
    net.inject(c, { kind: 'invite', callId: callId(10), media: 'audio', group: true });
    net.deliver();
    const fromC = net.refusals.slice(before).filter((r) => r.device === a || r.device === b);
    expect(fromC.map((r) => r.result)).toEqual(
      Array(6).fill({ ok: false, refusal: 'not-a-member' }),
    );
    expect(peersIn(net, b, 'connected')).toEqual([a]);
    expect(net.phase(a)).toBe('connected');
  });
});
