import { decodeGroupState, encodeGroupState, type ClientConfig } from 'ts-mls';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { GroupError } from './errors.ts';
import { roomStateOf } from './commit-policy.ts';
import { EPOCH_ID_LENGTH, type EpochRecord } from './epoch.ts';

const VERSION = 1;
const r: ShapeReader = new ShapeReader(
  (path, message) => new GroupError('GROUP_STATE_CORRUPT', `stored epoch ${path}: ${message}`),
);

/**
 * Stored form of one epoch: [1, epoch, epochId, ts-mls GroupState, commit|null, mine]. It holds
 * the group's secrets: storage adapters keep it on the device only. The room state is not
 * stored: it is read again from the GroupContext extension.
 */
export function encodeEpochRecord(record: EpochRecord): Uint8Array {
  return encodeCbor([
    VERSION,
    record.epoch,
    record.epochId,
    encodeGroupState(record.state),
    record.commit ?? null,
    record.committedByMe,
  ]);
}

export function decodeEpochRecord(bytes: Uint8Array, config: ClientConfig): EpochRecord {
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (cause) {
    throw new GroupError('GROUP_STATE_CORRUPT', 'a stored epoch is not CBOR', { cause });
  }
  const a = r.array(value, '', 6);
  r.version(a[0], VERSION);
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
  };
}
