import { attachmentBody } from '../content/attachment.ts';
import { message, type MessageOptions } from '../content/builders.ts';
import type { ExternalPart, MimiContent } from '../content/model.ts';
import type { MediaPreview } from '../media/preview.ts';
import type { UserId } from '../ids.ts';
import { can } from '../room/room-state.ts';
import { ClientError } from './errors.ts';
import type { RoomSession } from './room-session.ts';

/** A file message: the blob's ExternalPart with its fallback text, an optional caption and preview. */
export function composeAttachment(
  session: RoomSession,
  user: UserId,
  part: ExternalPart,
  caption: string | undefined,
  base: MessageOptions,
  preview?: MediaPreview,
): MimiContent {
  if (!can(session.group.room, user, 'canSendMessage')) {
    throw new ClientError('NOT_ALLOWED', 'your role may not send messages in this room');
  }
  return message(attachmentBody(part, caption, preview), base);
}
