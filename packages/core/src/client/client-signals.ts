import { toHex } from '../crypto/bytes.ts';
import type { MessageId } from '../content/message-id.ts';
import type { RoomId } from '../ids.ts';
import type { MessageReceipts, RoomReceipts } from '../signals/receipts.ts';
import { sessionOf, type DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';
import { RoomMessageStatus } from './message-status.ts';

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

/** The delivery states of this device's own messages in a room it is still in. */
export function roomMessageStatusOf(d: DeviceContext, roomId: RoomId): RoomMessageStatus {
  const session = sessionOf(d, roomId);
  return new RoomMessageStatus(session, roomReceiptsOf(d, roomId), {
    device: d.device.deviceId,
    user: d.device.userId,
    keyHex: toHex(d.device.keyPair.publicKey),
  });
}
