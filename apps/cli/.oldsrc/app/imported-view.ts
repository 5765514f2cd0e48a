import { isUserId, type TimelineMessage, type UserId } from '@kith/core';
import type { ImportedView } from './views.ts';

const KITH_USER = 'kith:user/';

/** `{ imported }` for an imported message (its original author and time), else nothing. */
export function importedView(
  m: TimelineMessage,
  nameOf: (user: UserId) => string,
): { imported?: ImportedView } {
  const origin = m.imported;
  if (origin === undefined) return {};
  const user = origin.sender.startsWith(KITH_USER) ? origin.sender.slice(KITH_USER.length) : '';
  const senderName = origin.name ?? (isUserId(user) ? nameOf(user) : origin.sender);
  return { imported: { sender: origin.sender, senderName, ts: origin.ts } };
}
