import { decodeGroupState, type ClientConfig } from 'ts-mls';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { GroupError } from './errors.ts';
import { roomStateOf } from './commit-policy.ts';
import { isDeviceId, isUserId } from '../identity/user-id.ts';
import { EPOCH_ID_LENGTH, type Committer, type EpochRecord } from './epoch.ts';
import { encodeGroupStateKept } from './state-encoding.ts';

/** 2 adds the committer (storage layout 3); 1 is still read, with no committer. */
const VERSION = 2;
const r: ShapeReader = new ShapeReader(
  (path, message) => new GroupError('GROUP_STATE_CORRUPT', `stored epoch ${path}: ${message}`),
);

/**
 * Stored form of one epoch: [2, epoch, epochId, ts-mls GroupState, commit|null, mine,
 * [committer user, device, external]|null]. It holds
 * the group's secrets: storage adapters keep it on the device only. The room state is not
 * stored: it is read again from the GroupContext extension.
 */
export function encodeEpochRecord(record: EpochRecord): Uint8Array {
  return encodeCbor([
    VERSION,
    record.epoch,
    record.epochId,
    encodeGroupStateKept(record.state),
    record.commit ?? null,
    record.committedByMe,
    record.committer === undefined
      ? null
      : [record.committer.user, record.committer.device, record.committer.external],
  ]);
}

export function decodeEpochRecord(bytes: Uint8Array, config: ClientConfig): EpochRecord {
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (cause) {
    throw new GroupError('GROUP_STATE_CORRUPT', 'a stored epoch is not CBOR', { cause });
  }
  const version = a0(value);
  const a = r.array(value, '', version === 1 ? 6 : 7);
  r.version(a[0], version);
  const stateBytes = r.bytes(a[3], 'state');
  const decoded = decodeGroupState(stateBytes, 0);
  if (decoded?.[1] !== stateBytes.length) return r.fail('state', 'undecodable');
  const state = { ...decoded[0], clientConfig: config };
  const room = roomStateOf(state.groupContext.extensions);
  if (room === undefined) r.fail('state', 'no room state in the GroupContext');
  return {
    epoch: r.biguint(a[1], 'epoch'),
    epochId: r.bytes(a[2], 'epochId', EPOCH_ID_LENGTH),
    state,
    room,
    commit: r.optional(a[4], 'commit', (v, p) => r.bytes(v, p)),
    committedByMe: r.bool(a[5], 'mine'),
    committer: version === 1 ? undefined : r.optional(a[6], 'committer', readCommitter),
  };
}

function a0(value: unknown): number {
  return Array.isArray(value) && value[0] === 1 ? 1 : VERSION;
}

function readCommitter(v: CborValue, p: string): Committer {
  const [user, device, external] = r.array(v, p, 3);
  const u = r.text(user, `${p}.user`, 128);
  const d = r.text(device, `${p}.device`, 128);
  if (!isUserId(u)) r.fail(`${p}.user`, 'not a user ID');
  if (!isDeviceId(d)) r.fail(`${p}.device`, 'not a device ID');
  return { user: u, device: d, external: r.bool(external, `${p}.external`) };
}
