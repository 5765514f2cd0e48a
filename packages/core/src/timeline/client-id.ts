import { labeledHash } from '../crypto/hash.ts';
import { TimelineError } from './errors.ts';
import { TimelineLimits } from './limits.ts';

/**
 * The Yjs client ID a device writes under in one room and generation: 53 bits of a labeled
 * hash of its public key. It is a function of the key, so nobody can claim another device's
 * client ID, and every member computes the same binding without any registration step.
 * A generation moves on after one of the device's updates was rejected: Yjs would keep every
 * later update of the old client ID pending behind the missing one forever.
 */
export function yjsClientId(
  devicePublicKey: Uint8Array,
  room: Uint8Array,
  generation: number,
): number {
  if (
    !Number.isInteger(generation) ||
    generation < 0 ||
    generation > TimelineLimits.maxGeneration
  ) {
    throw new TimelineError('TIMELINE_MALFORMED', `generation out of range: ${generation}`);
  }
  const g = new Uint8Array(4);
  new DataView(g.buffer).setUint32(0, generation);
  const h = labeledHash('kith/yjs-client/v1', devicePublicKey, room, g);
  // Top 5 bits of byte 0, then 6 whole bytes: 53 bits, a safe integer.
  let id = (h[0] ?? 0) & 0x1f;
  for (let i = 1; i < 7; i++) id = id * 256 + (h[i] ?? 0);
  return id;
}
