import { asMessageId, ClientError, fromHex, type MessageId } from '@kith/core';

/** The UI names messages by hex: the bytes of one, or UNKNOWN_MESSAGE. */
export function bytes(hex: string): Uint8Array {
  const b = fromHex(hex);
  if (b === undefined) throw new ClientError('UNKNOWN_MESSAGE', `not a message ID: ${hex}`);
  return b;
}

export function messageId(hex: string): MessageId {
  return asMessageId(bytes(hex));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
