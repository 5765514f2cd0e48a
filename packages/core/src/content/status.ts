import { readArray, readUint } from './cbor-reader.ts';
import { decodeChecked, encodeChecked, readMessageId } from './codec.ts';
import { ContentError } from './errors.ts';
import { asMessageId, type MessageId } from './message-id.ts';

/** Media type of a message status report (draft-mahy-mimi-message-status). */
export const MESSAGE_STATUS_MEDIA_TYPE = 'application/mimi-message-status';

/** Status values; 7..255 are unknown. */
export const MessageStatus = {
  unread: 0,
  delivered: 1,
  read: 2,
  expired: 3,
  deleted: 4,
  hidden: 5,
  error: 6,
} as const;

/** The status of one message in a status report. */
export interface PerMessageStatus {
  readonly messageId: MessageId;
  /** 0..255, see `MessageStatus`. */
  readonly status: number;
}

/** Status changes for messages of one room, sent by one member (receipts). */
export type MessageStatusReport = readonly PerMessageStatus[];

/** Encodes a status report as deterministic CBOR, checking each entry. */
export function encodeStatusReport(report: MessageStatusReport): Uint8Array {
  return encodeChecked(
    report.map((entry, i) => {
      asMessageId(entry.messageId, `[${i}].messageId`);
      if (!Number.isSafeInteger(entry.status) || entry.status < 0 || entry.status > 0xff) {
        throw new ContentError('CONTENT_OUT_OF_RANGE', `[${i}].status`, 'a status is 0..255');
      }
      return [entry.messageId, entry.status];
    }),
  );
}

/** Reads a status report; a ContentError for anything the draft does not allow. */
export function decodeStatusReport(bytes: Uint8Array): PerMessageStatus[] {
  return readArray(decodeChecked(bytes), '').map((value, i) => {
    const [messageId, status] = readArray(value, `[${i}]`, 2);
    return {
      messageId: readMessageId(messageId, `[${i}].messageId`),
      status: readUint(status, `[${i}].status`, 0xff),
    };
  });
}
