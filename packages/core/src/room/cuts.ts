import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { UserId } from '../ids.ts';
import { refuse, type Refusal } from './refusal.ts';
import { can, roleOf, type RoomState } from './room-state.ts';

/**
 * Where a device's timeline was cut by a commit that removed it or changed its user's role
 * (docs/PROTOCOL.md §6.3). The committer writes the device's author-chain head as it held it;
 * the cut lives in the room state for as long as the room exists, so every member, including
 * those who join later, judges the device's updates against the same point:
 *
 * - updates with a seq below `seq` are the device's last ones under the old authority; the
 *   one at `seq - 1` must hash to `head` (or none may exist when `seq` is 0);
 * - updates from `seq` on are judged with the authority after the cut: for a removed device,
 *   only if they name an epoch from `epoch` on in which it is a member again; for a role
 *   change, with the role of `epoch` or later, whatever older epoch they name.
 */
export interface DeviceCut {
  /** The device's Ed25519 public key. */
  readonly device: Uint8Array;
  /** Its user, so that history before joining needs no self-signed certificate. */
  readonly user: UserId;
  /** The number of the device's updates before the cut (the seq of its first update after). */
  readonly seq: number;
  /** The hash of its update `seq - 1` (32 zero bytes when `seq` is 0). */
  readonly head: Uint8Array;
  /** The epoch the cutting commit starts. */
  readonly epoch: bigint;
  /** True when the commit removed the device; false for a role change of its user. */
  readonly removed: boolean;
  /** Whether its user could retract other people's messages before the cut. */
  readonly retractAny: boolean;
}

/** Each device's author-chain head (public key hex to its last seq and that update's hash). */
export type TimelineHeads = ReadonlyMap<
  string,
  { readonly seq: number; readonly head: Uint8Array }
>;

/** A member device as a commit sees it. */
export interface CutDevice {
  readonly publicKey: Uint8Array;
  readonly userId: UserId;
}

/** The devices a commit must cut: those it removes, and those of users whose role changes. */
function devicesToCut(
  room: RoomState,
  newRoom: RoomState,
  before: readonly CutDevice[],
  after: readonly CutDevice[],
): { readonly device: CutDevice; readonly removed: boolean }[] {
  const staying = new Set(after.map((d) => toHex(d.publicKey)));
  const out: { device: CutDevice; removed: boolean }[] = [];
  for (const d of before) {
    const removed = !staying.has(toHex(d.publicKey));
    if (removed || roleOf(room, d.userId) !== roleOf(newRoom, d.userId)) {
      out.push({ device: d, removed });
    }
  }
  return out;
}

/**
 * The room state with the cuts a commit makes: `heads` gives each device's chain head as the
 * committer holds it (public key hex to `{ seq, head }` of its last update).
 */
export function withCuts(
  room: RoomState,
  newRoom: RoomState,
  before: readonly CutDevice[],
  after: readonly CutDevice[],
  epoch: bigint,
  heads: TimelineHeads,
): RoomState {
  const cuts = devicesToCut(room, newRoom, before, after).map(({ device, removed }) => {
    const h = heads.get(toHex(device.publicKey));
    return {
      device: device.publicKey,
      user: device.userId,
      seq: h === undefined ? 0 : h.seq + 1,
      head: h === undefined ? new Uint8Array(32) : h.head,
      epoch,
      removed,
      retractAny: can(room, device.userId, 'canDeleteOtherMessage'),
    };
  });
  if (cuts.length === 0) return newRoom;
  return { ...newRoom, cuts: sortCuts([...(room.cuts ?? []), ...cuts]) };
}

/** The canonical order of cuts: by device, then seq. */
export function sortCuts(cuts: readonly DeviceCut[]): DeviceCut[] {
  return [...cuts].sort((a, b) => {
    const x = toHex(a.device);
    const y = toHex(b.device);
    return x < y ? -1 : x > y ? 1 : a.seq - b.seq;
  });
}

/**
 * Every member's check of a commit's cuts: earlier cuts kept unchanged, and exactly one new
 * cut, naming the new epoch and the right user and kind, for each device the commit removes or
 * whose user's role it changes. The seq and head are the committer's word: nobody else can
 * know what it held (a committer that lies can only cut a device short, which its role lets
 * it do anyway by removing or retracting).
 */
export function checkCuts(
  room: RoomState,
  newRoom: RoomState,
  before: readonly CutDevice[],
  after: readonly CutDevice[],
  epoch: bigint,
): Refusal | undefined {
  const old = room.cuts ?? [];
  const now = newRoom.cuts ?? [];
  const fresh = now.filter((c) => !old.some((o) => sameCut(o, c)));
  if (now.length - fresh.length !== old.length) {
    return refuse('INVALID_CHANGE', 'a commit may not change or drop earlier cuts');
  }
  const wanted = devicesToCut(room, newRoom, before, after);
  if (fresh.length !== wanted.length) {
    return refuse('INVALID_CHANGE', 'a commit must cut each device it removes or re-roles');
  }
  for (const { device, removed } of wanted) {
    const c = fresh.find((x) => bytesEqual(x.device, device.publicKey));
    if (
      c?.user !== device.userId ||
      c.epoch !== epoch ||
      c.removed !== removed ||
      c.retractAny !== can(room, device.userId, 'canDeleteOtherMessage')
    ) {
      return refuse('INVALID_CHANGE', `a wrong or missing cut for a device of ${device.userId}`);
    }
  }
  return undefined;
}

function sameCut(a: DeviceCut, b: DeviceCut): boolean {
  return (
    bytesEqual(a.device, b.device) &&
    a.user === b.user &&
    a.seq === b.seq &&
    bytesEqual(a.head, b.head) &&
    a.epoch === b.epoch &&
    a.removed === b.removed &&
    a.retractAny === b.retractAny
  );
}
