import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ClientError } from '../client/errors.ts';
import { joinKey } from '../storage/keys.ts';

/**
 * Which signals this device sends. Each can be off; the device still shows what others send
 * (turning read receipts off does not hide other people's).
 */
export interface SignalSettings {
  /** Publish how far the user has read (meta key `read`). */
  readonly readReceipts: boolean;
  /** Publish the newest message this device holds (meta key `delivered`). */
  readonly deliveryReceipts: boolean;
  /** Tell the room while the user types. */
  readonly typing: boolean;
  /** Announce online, away and offline to the people this device shares rooms with. */
  readonly presence: boolean;
}

/** Every signal on, until the user turns some off. */
export const DEFAULT_SIGNAL_SETTINGS: SignalSettings = {
  readReceipts: true,
  deliveryReceipts: true,
  typing: true,
  presence: true,
};

/** Storage key of the settings (this device's own; never sent). */
export const SIGNAL_SETTINGS_KEY = joinKey('signals', 'settings');

/** Storage key of this device's own read position in a room, kept even when not published. */
export function readPositionKey(roomId: string): string {
  return joinKey('signals', 'read', roomId);
}

export function encodeSignalSettings(s: SignalSettings): Uint8Array {
  return encodeCbor([1, s.readReceipts, s.deliveryReceipts, s.typing, s.presence]);
}

/** Stored settings (defaults when none were stored). Damaged ones are not guessed at. */
export function decodeSignalSettings(bytes: Uint8Array | undefined): SignalSettings {
  if (bytes === undefined) return DEFAULT_SIGNAL_SETTINGS;
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 1 });
  } catch (cause) {
    throw corrupt(cause);
  }
  if (!Array.isArray(value) || value.length !== 5 || value[0] !== 1) throw corrupt();
  const [, readReceipts, deliveryReceipts, typing, presence] = value as unknown[];
  if (![readReceipts, deliveryReceipts, typing, presence].every((v) => typeof v === 'boolean')) {
    throw corrupt();
  }
  return {
    readReceipts: readReceipts === true,
    deliveryReceipts: deliveryReceipts === true,
    typing: typing === true,
    presence: presence === true,
  };
}

function corrupt(cause?: unknown): ClientError {
  return new ClientError('STORAGE_CORRUPT', 'the stored signal settings do not decode', {
    cause,
  });
}
