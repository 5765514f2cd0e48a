import { decodeMlsMessage } from 'ts-mls';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { bytesEqual } from '../crypto/bytes.ts';
import { roomStateOf } from '../group/commit-policy.ts';
import type { EpochRecord } from '../group/epoch.ts';
import type { MemberDevice } from '../group/leaves.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { Roles } from '../room/roles.ts';
import { roleOf, type RoomState } from '../room/room-state.ts';

/**
 * Checks before a device leaves its chain wholesale for another one (a GroupInfo to rejoin
 * from, a Welcome into a room it is in): fork choice cannot compare the two, so the device
 * refuses any chain that undoes a cut it accepted (docs/PROTOCOL.md §7, "Rejoining").
 */

/**
 * The first user `room` gives a higher role than this device's chain now does, although the
 * chain holds them banned, or lowered their role within its retained epochs: taking that room
 * would undo a ban, a removal or a demotion. Undefined when there is none.
 */
export function undoneCut(chain: readonly EpochRecord[], room: RoomState): UserId | undefined {
  const head = chain.at(-1);
  if (head === undefined) return undefined;
  for (const [user, role] of room.participants) {
    const now = roleOf(head.room, user);
    if (role <= now) continue;
    if (now === Roles.banned) return user;
    if (chain.some((r) => roleOf(r.room, user) > now)) return user;
  }
  return undefined;
}

/**
 * Why a GroupInfo sent by `from` may not be rejoined from, or undefined if it may: it must come
 * from a device that is a member on this chain, be signed by one, and undo no cut.
 */
export function groupInfoRefusal(
  bytes: Uint8Array,
  from: DeviceId,
  members: readonly MemberDevice[],
  chain: readonly EpochRecord[],
): string | undefined {
  if (!members.some((m) => m.deviceId === from)) return 'sent by a device that is not a member';
  let info;
  try {
    const decoded = decodeMlsMessage(bytes, 0);
    if (decoded?.[0].wireformat !== 'mls_group_info') return 'not a GroupInfo';
    info = decoded[0].groupInfo;
  } catch {
    return 'not a GroupInfo';
  }
  const signer = ratchetTreeFromExtension(info)?.[info.signer * 2];
  if (
    signer?.nodeType !== 'leaf' ||
    !members.some((m) => bytesEqual(m.publicKey, signer.leaf.signaturePublicKey))
  ) {
    return 'signed by a device that is not a member';
  }
  const room = roomStateOf(info.groupContext.extensions);
  if (room === undefined) return 'no room state';
  const user = undoneCut(chain, room);
  return user === undefined ? undefined : `it would undo the removal of ${user}`;
}
