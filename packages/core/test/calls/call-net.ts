import { deviceIdFromPublicKey, userIdFromPublicKey } from '../../src/identity/user-id.ts';
import type { DeviceId, RoomId, UserId } from '../../src/ids.ts';
import { CallMachine } from '../../src/calls/call-machine.ts';
import {
  decodeCallSignal,
  encodeCallSignal,
  type CallSignal,
} from '../../src/calls/call-signal.ts';
import type { CallMember, CallOutput, CallResult, CallView } from '../../src/calls/call-types.ts';

export const ROOM = 'aa'.repeat(32) as RoomId;

function user(n: number): UserId {
  return userIdFromPublicKey(new Uint8Array(32).fill(n));
}

export function device(n: number): DeviceId {
  return deviceIdFromPublicKey(new Uint8Array(32).fill(100 + n));
}

export const callId = (n: number): Uint8Array => new Uint8Array(16).fill(n);

const sdp = (who: DeviceId): string =>
  `v=0\r\no=${who} 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 0A:1B:2C:3D\r\n`;

interface Envelope {
  readonly from: DeviceId;
  readonly to: DeviceId;
  readonly bytes: Uint8Array;
}

/**
 * Devices of one room on a simulated network: signals go through the wire codec to every
 * other member device and wait in a queue the test delivers in the order it wants. The media
 * layer is simulated: offers are answered, and an applied answer connects both ends.
 */
export class CallNet {
  readonly machines = new Map<DeviceId, CallMachine>();
  readonly members: CallMember[] = [];
  readonly queue: Envelope[] = [];
  readonly views = new Map<DeviceId, CallView[]>();
  readonly missed: { device: DeviceId; callId: Uint8Array }[] = [];
  readonly refusals: { device: DeviceId; from: DeviceId; result: CallResult; kind: string }[] = [];
  /** Media actions seen, per device, as "action peer". */
  readonly media = new Map<DeviceId, string[]>();
  now = 0;
  /** Whether the simulated media layer answers offers and connects (off: nothing connects). */
  autoMedia = true;

  add(u: number, d: number): DeviceId {
    const member = { device: device(d), user: user(u) };
    this.members.push(member);
    this.machines.set(member.device, new CallMachine(member));
    this.media.set(member.device, []);
    for (const m of this.machines.values()) m.setMembers(ROOM, this.members);
    this.pump();
    return member.device;
  }

  remove(d: DeviceId): void {
    const i = this.members.findIndex((m) => m.device === d);
    this.members.splice(i, 1);
    for (const m of this.machines.values()) m.setMembers(ROOM, this.members);
    this.pump();
  }

  machine(d: DeviceId): CallMachine {
    const m = this.machines.get(d);
    if (m === undefined) throw new Error('no such device');
    return m;
  }

  /** Runs `f` on a device's machine, then collects what it asked for. */
  act<T>(d: DeviceId, f: (m: CallMachine) => T): T {
    const result = f(this.machine(d));
    this.pump();
    return result;
  }

  phase(d: DeviceId): string | undefined {
    const v = this.views.get(d)?.at(-1);
    return v === undefined ? undefined : v.phase === 'ended' ? `ended:${v.endReason}` : v.phase;
  }

  /** The last view of `d` for the call `id`. */
  viewOf(d: DeviceId, id: Uint8Array): CallView | undefined {
    return this.machine(d).view(id);
  }

  /** Delivers queued signals (first in first out, or as `pick` chooses) until none are left. */
  deliver(pick: (queue: readonly Envelope[]) => number = () => 0): void {
    while (this.queue.length > 0) {
      const [env] = this.queue.splice(pick(this.queue), 1);
      if (env === undefined) break;
      this.deliverOne(env);
    }
  }

  /** Puts a signal from `from` on the wire to every other device, as a modified client would. */
  inject(from: DeviceId, signal: CallSignal): void {
    const bytes = encodeCallSignal(signal);
    for (const to of this.machines.keys()) if (to !== from) this.queue.push({ from, to, bytes });
  }

  /** Delivers, in order, the queued signals `which` selects; the others stay queued. */
  deliverWhere(which: (e: Envelope) => boolean): void {
    for (let i = this.queue.findIndex(which); i >= 0; i = this.queue.findIndex(which)) {
      const [env] = this.queue.splice(i, 1);
      if (env !== undefined) this.deliverOne(env);
    }
  }

  deliverOne(env: Envelope): void {
    const target = this.machines.get(env.to);
    if (target === undefined) return;
    const decoded = decodeCallSignal(env.bytes);
    if (!decoded.ok) throw new Error(decoded.reason);
    const result = target.receive(ROOM, env.from, decoded.signal, this.now);
    if (!result.ok) {
      this.refusals.push({ device: env.to, from: env.from, result, kind: decoded.signal.kind });
    }
    this.pump();
  }

  tick(ms: number): void {
    this.now += ms;
    for (const m of this.machines.values()) m.tick(this.now);
    this.pump();
  }

  /** Collects outputs until no machine has any (media answers make more). */
  pump(): void {
    for (let busy = true; busy;) {
      busy = false;
      for (const [d, m] of this.machines) {
        for (const o of m.take()) {
          busy = true;
          this.#handle(d, m, o);
        }
      }
    }
  }

  #handle(d: DeviceId, m: CallMachine, o: CallOutput): void {
    if (o.type === 'send') {
      const bytes = encodeCallSignal(o.signal);
      // A room message reaches every member device but its sender (removed ones too, here:
      // the network does not know about membership; their machines must refuse).
      for (const to of this.machines.keys()) if (to !== d) this.queue.push({ from: d, to, bytes });
    } else if (o.type === 'state') {
      this.views.set(d, [...(this.views.get(d) ?? []), o.view]);
    } else if (o.type === 'missed-call') {
      this.missed.push({ device: d, callId: o.callId });
    } else {
      this.media.get(d)?.push(`${o.action} ${o.peer}`);
      if (!this.autoMedia) return;
      if (o.action === 'create-offer' || o.action === 'accept-offer') {
        const result = m.localDescription(o.callId, o.peer, sdp(d));
        if (!result.ok) throw new Error(`localDescription: ${result.refusal}`);
      } else if (o.action === 'apply-answer') {
        m.mediaState(o.callId, o.peer, true);
        this.machines.get(o.peer)?.mediaState(o.callId, d, true);
      }
    }
  }
}
