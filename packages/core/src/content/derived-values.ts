import { CborTag, type CborKey, type CborValue } from '../cbor/value.ts';
import { readArray, readBytes, readText, readUint } from './cbor-reader.ts';
import { decodeChecked, encodeChecked, readMessageId } from './codec.ts';
import { ContentError } from './errors.ts';
import { asMessageId, type MessageId } from './message-id.ts';

/** RFC 9581 extended time: CBOR tag 1001 around a map of time fields. */
const EXTENDED_TIME_TAG = 1001;

/** A time given as RFC 9581 extended time (tag 1001): kept as its map so it round-trips. */
export interface ExtendedTime {
  readonly extended: ReadonlyMap<CborKey, CborValue>;
}

/**
 * What a receiver knows about a message besides its content (draft-ietf-mimi-content,
 * "Derived Data Values"). Kith has no hub, so its "accepted" timestamp is the one its
 * conversation log assigns.
 */
export interface MessageDerivedValues {
  readonly messageId: MessageId;
  /** Milliseconds since the UNIX epoch, or an RFC 9581 extended time. */
  readonly hubAcceptedTimestamp: number | ExtendedTime;
  readonly mlsGroupId: Uint8Array;
  readonly senderLeafIndex: number;
  readonly senderClientUrl: string;
  readonly senderUserUrl: string;
  readonly roomUrl: string;
}

/** Encodes a message's derived values as the draft's CBOR array, checking each field. */
export function encodeDerivedValues(values: MessageDerivedValues): Uint8Array {
  asMessageId(values.messageId, 'messageId');
  const timestamp = values.hubAcceptedTimestamp;
  if (typeof timestamp === 'number' && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
    throw new ContentError('CONTENT_OUT_OF_RANGE', 'hubAcceptedTimestamp', 'an unsigned integer');
  }
  if (values.senderLeafIndex < 0 || values.senderLeafIndex > 0xffff_ffff) {
    throw new ContentError('CONTENT_OUT_OF_RANGE', 'senderLeafIndex', 'an unsigned 32-bit integer');
  }
  return encodeChecked([
    values.messageId,
    typeof timestamp === 'number' ? timestamp : new CborTag(EXTENDED_TIME_TAG, timestamp.extended),
    values.mlsGroupId,
    values.senderLeafIndex,
    values.senderClientUrl,
    values.senderUserUrl,
    values.roomUrl,
  ]);
}

/** Decodes derived values; a ContentError for anything the draft does not allow. */
export function decodeDerivedValues(bytes: Uint8Array): MessageDerivedValues {
  const [messageId, timestamp, groupId, leafIndex, clientUrl, userUrl, roomUrl] = readArray(
    decodeChecked(bytes),
    '',
    7,
  );
  return {
    messageId: readMessageId(messageId, 'messageId'),
    hubAcceptedTimestamp: readTimestamp(timestamp, 'hubAcceptedTimestamp'),
    mlsGroupId: readBytes(groupId, 'mlsGroupId'),
    senderLeafIndex: readUint(leafIndex, 'senderLeafIndex', 0xffff_ffff),
    senderClientUrl: readText(clientUrl, 'senderClientUrl'),
    senderUserUrl: readText(userUrl, 'senderUserUrl'),
    roomUrl: readText(roomUrl, 'roomUrl'),
  };
}

function readTimestamp(value: CborValue, path: string): number | ExtendedTime {
  if (value instanceof CborTag && value.tag === EXTENDED_TIME_TAG && value.value instanceof Map) {
    return { extended: value.value as ReadonlyMap<CborKey, CborValue> };
  }
  return readUint(value, path, Number.MAX_SAFE_INTEGER);
}
