import type { RoomId, UserId } from '../ids.ts';
import { sessionOf, type DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';

/** Personal safety as KithClient applies it: blocks take effect on this device only. */

/** Blocks `user` (see KithClient.blockUser); the `blocked` event only when it changed anything. */
export async function blockUser(d: DeviceContext, user: UserId): Promise<void> {
  if (user === d.device.userId) {
    throw new ClientError('INVALID_ARGUMENT', 'you cannot block yourself');
  }
  if (await d.safety.block(user, d.env.clock.now())) {
    d.env.emit({ type: 'blocked', user, blocked: true });
  }
}

export async function unblockUser(d: DeviceContext, user: UserId): Promise<void> {
  if (await d.safety.unblock(user)) {
    d.env.emit({ type: 'blocked', user, blocked: false });
  }
}

/** How many of a room's messages are hidden because their senders are blocked. */
export function hiddenCount(d: DeviceContext, roomId: RoomId): number {
  const all = sessionOf(d, roomId).doc.timeline();
  return all.filter((m) => d.safety.isBlocked(m.sender)).length;
}
