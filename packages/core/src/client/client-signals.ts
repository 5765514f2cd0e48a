import type { MessageId } from '../content/message-id.ts';
import type { RoomId } from '../ids.ts';
import type { MessageReceipts, RoomReceipts } from '../signals/receipts.ts';
import { sessionOf, type DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';

/** The receipts of a room this device is still in (see KithClient.roomReceipts). */
export function roomReceiptsOf(d: DeviceContext, roomId: RoomId): RoomReceipts {
  const session = sessionOf(d, roomId);
  if (!session.active) {
    throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
  }
  return d.signals.receipts(session);
}

/** One message's receipts among a room's; the message must be in the room. */
export function messageReceipts(room: RoomReceipts, messageId: MessageId): MessageReceipts {
  const receipts = room.of(messageId);
  if (receipts === undefined) {
    throw new ClientError('UNKNOWN_MESSAGE', 'no such message in the room');
  }
  return receipts;
}
