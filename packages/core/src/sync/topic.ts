import { toHex } from '../crypto/bytes.ts';
import { labeledHash } from '../crypto/hash.ts';

/** The pubsub topic of a room: a hash of its group ID, so the name reveals nothing. */
export function roomTopic(groupId: Uint8Array): string {
  return `kith/room/${toHex(labeledHash('kith/topic/v1', groupId).subarray(0, 16))}`;
}
