import { bytesEqual, compareBytes } from '../crypto/bytes.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { Roles } from '../room/roles.ts';
import { encodeRoomState } from '../room/room-state-codec.ts';
import { roleOf } from '../room/room-state.ts';
import { commitRank, type EpochRecord } from './epoch.ts';
import { memberDevices } from './leaves.ts';

/**
 * What a commit changes, weakest first: an external commit (a device rejoining), nothing (a
 * path update), devices added, the room's profile or settings, a promotion, and a cut (a user
 * removed, banned or demoted, or a device removed).
 */
const ChangeKind = { rejoin: 0, none: 1, add: 2, room: 3, promotion: 4, cut: 5 } as const;
type Kind = (typeof ChangeKind)[keyof typeof ChangeKind];

/** The authority a commit was made with, and what it cut. */
interface CommitAuthority {
  readonly user: UserId;
  readonly device: DeviceId;
  /** The committer's role index at the parent epoch; -1 for an external commit. */
  readonly rank: number;
  readonly kind: Kind;
  /** Users whose role went down (removed, banned, demoted). */
  readonly cutUsers: ReadonlySet<UserId>;
  /** Devices in the parent epoch that are gone in this one. */
  readonly cutDevices: ReadonlySet<DeviceId>;
}

const cache = new WeakMap<EpochRecord, CommitAuthority | 'unknown'>();

/**
 * The authority of the commit that made `child` from `parent`; 'unknown' when the committer
 * was not recorded (epochs stored before storage layout 3), which makes the epoch final.
 */
function authorityOf(parent: EpochRecord, child: EpochRecord): CommitAuthority | 'unknown' {
  const hit = cache.get(child);
  if (hit !== undefined) return hit;
  const c = child.committer;
  let result: CommitAuthority | 'unknown' = 'unknown';
  if (c !== undefined) {
    const before = memberDevices(parent.state);
    const after = new Set(memberDevices(child.state).map((d) => d.deviceId));
    const cutDevices = new Set(before.filter((d) => !after.has(d.deviceId)).map((d) => d.deviceId));
    const cutUsers = new Set<UserId>();
    let promoted = false;
    for (const [user, role] of parent.room.participants) {
      const now = roleOf(child.room, user);
      if (role >= Roles.member && now < role) cutUsers.add(user);
      if (role >= Roles.member && now > role) promoted = true;
    }
    const known = new Set(before.map((d) => d.deviceId));
    const added = [...after].some((d) => !known.has(d));
    let kind: Kind = ChangeKind.none;
    if (c.external) kind = ChangeKind.rejoin;
    else if (cutUsers.size > 0 || cutDevices.size > 0) kind = ChangeKind.cut;
    else if (promoted) kind = ChangeKind.promotion;
    else if (!bytesEqual(encodeRoomState(parent.room), encodeRoomState(child.room))) {
      kind = ChangeKind.room;
    } else if (added) kind = ChangeKind.add;
    result = {
      user: c.user,
      device: c.device,
      rank: c.external ? -1 : roleOf(parent.room, c.user),
      kind,
      cutUsers,
      cutDevices,
    };
  }
  cache.set(child, result);
  return result;
}

function authorities(
  fork: EpochRecord,
  branch: readonly EpochRecord[],
): CommitAuthority[] | undefined {
  const out: CommitAuthority[] = [];
  let parent = fork;
  for (const r of branch) {
    const a = authorityOf(parent, r);
    if (a === 'unknown') return undefined;
    out.push(a);
    parent = r;
  }
  return out;
}

/** A branch with a commit by a user or device the other branch cut. */
function cutOff(branch: readonly CommitAuthority[], other: readonly CommitAuthority[]): boolean {
  const users = new Set<UserId>();
  const devices = new Set<DeviceId>();
  for (const a of other) {
    for (const u of a.cutUsers) users.add(u);
    for (const d of a.cutDevices) devices.add(d);
  }
  return branch.some((a) => users.has(a.user) || devices.has(a.device));
}

/** The strongest (rank, kind) of a branch's commits. */
function strongest(branch: readonly CommitAuthority[]): [number, number] {
  let best: [number, number] = [-2, -1];
  for (const a of branch) {
    if (a.rank > best[0] || (a.rank === best[0] && a.kind > best[1])) best = [a.rank, a.kind];
  }
  return best;
}

/**
 * Fork choice (docs/PROTOCOL.md §5): whether `side`, a branch from the epoch `fork`, beats
 * `main`, the branch from the same epoch this device follows. In order:
 *
 * 1. A branch holding a commit by a user (or device) that the other branch cut loses, so a
 *    commit that removes, bans or demotes a user beats anything that user's devices commit.
 * 2. The branch whose strongest commit has the higher authority wins: the committer's role at
 *    its parent epoch, then the kind of change (`ChangeKind`). A device therefore never leaves a
 *    branch holding a removal or a ban for one committed with less authority, wherever in the
 *    branch the removal sits. External commits have the lowest authority of all.
 * 3. Only between equals: the fork commit with the lower `commitRank`.
 *
 * Every member computes it from the commits alone. A branch holding an epoch stored before its
 * committer was recorded is never left.
 */
export function sideWins(
  fork: EpochRecord,
  main: readonly EpochRecord[],
  side: readonly EpochRecord[],
): boolean {
  const m = authorities(fork, main);
  const s = authorities(fork, side);
  if (m === undefined || s === undefined || s.length === 0) return false;
  if (m.length === 0) return true;
  const sideCut = cutOff(s, m);
  const mainCut = cutOff(m, s);
  if (sideCut !== mainCut) return mainCut;
  const [sr, sk] = strongest(s);
  const [mr, mk] = strongest(m);
  if (sr !== mr) return sr > mr;
  if (sk !== mk) return sk > mk;
  const sc = side[0]?.commit;
  const mc = main[0]?.commit;
  if (sc === undefined || mc === undefined) return false;
  return compareBytes(commitRank(sc), commitRank(mc)) < 0;
}

/**
 * Whether a losing branch is not worth keeping: it holds a commit by a user or device `main`
 * cut, and cuts nobody who committed on `main` (a banned device grinding commits on the epoch
 * before its ban). Only kept branches can grow into winners.
 */
export function cutOffBy(
  fork: EpochRecord,
  main: readonly EpochRecord[],
  side: readonly EpochRecord[],
): boolean {
  const m = authorities(fork, main);
  const s = authorities(fork, side);
  if (m === undefined || s === undefined) return m === undefined;
  return cutOff(s, m) && !cutOff(m, s);
}
