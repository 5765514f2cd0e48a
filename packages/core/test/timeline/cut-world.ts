import { ControlHistory } from '../../src/client/control-history.ts';
import type { HistoryEntry } from '../../src/client/room-store.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { withCuts } from '../../src/room/cuts.ts';
import { Roles } from '../../src/room/roles.ts';
import { newRoomState, withParticipant, type RoomState } from '../../src/room/room-state.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';
import type { SignedUpdate } from '../../src/timeline/signed-update.ts';
import type { FakeControlPlane } from './helpers.ts';
import { Member, project } from './helpers.ts';

/**
 * A room's control plane as the real `ControlHistory` holds it (epochs, room states with their
 * cuts), for data-plane attack tests: each device gets its own history from the epoch it joined.
 */
export class CutWorld {
  readonly epochs: HistoryEntry[] = [];

  /** A member device whose document judges with its own `ControlHistory`. */
  static member(
    name: string,
    history = new ControlHistory(),
  ): Member & { history: ControlHistory } {
    const m = new Member(name, history as unknown as FakeControlPlane, { member: false });
    return Object.assign(m, { history });
  }

  /** Epoch `epoch` with `room` and these member devices. */
  add(epoch: bigint, room: RoomState, members: readonly Member[]): HistoryEntry {
    const e: HistoryEntry = {
      epoch,
      room,
      members: members.map((m) => [m.key.publicKey, m.user] as const),
    };
    this.epochs.push(e);
    return e;
  }

  /**
   * The next epoch, by a commit that turns the head's room into `room` and keeps `members`:
   * the cuts are made from `committer`'s chain heads, as a client's commit makes them.
   */
  commit(committer: Member, room: RoomState, members: readonly Member[]): HistoryEntry {
    const head = this.epochs.at(-1);
    if (head === undefined) throw new Error('no epoch yet');
    const before = head.members.map(([publicKey, userId]) => ({ publicKey, userId }));
    const after = members.map((m) => ({ publicKey: m.key.publicKey, userId: m.user }));
    const epoch = head.epoch + 1n;
    const cut = withCuts(head.room, room, before, after, epoch, committer.doc.stateVector());
    return this.add(epoch, cut, members);
  }

  /** The entries from `epoch` on (what a device that joined then holds). */
  from(epoch: bigint): HistoryEntry[] {
    return this.epochs.filter((e) => e.epoch >= epoch);
  }
}

export function room(roles: readonly (readonly [Member, number])[]): RoomState {
  const [first, ...rest] = roles;
  if (first === undefined) throw new Error('no creator');
  let state = withParticipant(
    newRoomState({ kind: 'group', creator: first[0].user }),
    first[0].user,
    first[1],
  );
  for (const [m, role] of rest) state = withParticipant(state, m.user, role);
  return state;
}

export function role(state: RoomState, m: Member, r: number): RoomState {
  return withParticipant(state, m.user, r);
}

export { Roles };

/** A seeded shuffle (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rnd = new SeededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/**
 * An honest observer that joined at `joined`, fed `updates` in a seeded order with the epochs
 * after `known` learned at a seeded point of the delivery (the commit arriving late or early),
 * or after everything with `learnLast`.
 */
export function observe(
  world: CutWorld,
  name: string,
  updates: readonly SignedUpdate[],
  seed: number,
  options: { readonly joined?: bigint; readonly known?: bigint; readonly learnLast?: boolean } = {},
): {
  readonly timeline: unknown[];
  readonly heads: string[];
  readonly m: Member & { history: ControlHistory };
} {
  const joined = options.joined ?? 1n;
  const known = options.known ?? joined;
  const m = CutWorld.member(name);
  m.history.restore(world.from(joined).filter((e) => e.epoch <= known));
  const order = shuffled(updates, seed);
  const at =
    options.learnLast === true
      ? order.length
      : new SeededRandom(seed * 7 + 1).int(order.length + 1);
  order.forEach((u, i) => {
    if (i === at) learn(world, m, known);
    m.doc.receive(u);
  });
  if (at === order.length) learn(world, m, known);
  const heads = [...m.doc.stateVector()]
    .filter(([hex]) => hex !== toHex(m.key.publicKey))
    .map(([hex, h]) => `${hex}:${h.seq}:${toHex(h.head)}`)
    .sort();
  return { timeline: project(m.doc.timeline()), heads, m };
}

function learn(world: CutWorld, m: Member & { history: ControlHistory }, known: bigint): void {
  m.history.restore(world.epochs.filter((e) => e.epoch > known));
  m.doc.applyCuts();
  m.doc.retryPending();
}
