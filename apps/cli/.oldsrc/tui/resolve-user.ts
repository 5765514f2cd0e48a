import { isUserId, shortUserId, type UserId } from '@kith/core';

/** Someone a command may name: a contact, or a member of a room this device is in. */
export interface Person {
  readonly userId: UserId;
  readonly displayName: string;
}

export type Resolved =
  { readonly ok: true; readonly userId: UserId } | { readonly ok: false; readonly error: string };

/**
 * The user a command means by `text`: a full user ID, a display name (any case), or a short ID
 * as shown on screen (`u:abcd-efgh-…`, or enough of it to tell). A name two people share is
 * refused rather than guessed.
 */
export function resolveUser(text: string, people: readonly Person[]): Resolved {
  const wanted = text.trim();
  if (isUserId(wanted)) return { ok: true, userId: wanted };
  const unique = new Map<UserId, Person>();
  for (const p of people) if (!unique.has(p.userId)) unique.set(p.userId, p);
  const all = [...unique.values()];
  const lower = wanted.toLowerCase();
  const named = all.filter((p) => p.displayName.toLowerCase() === lower);
  if (named.length === 1 && named[0] !== undefined) return { ok: true, userId: named[0].userId };
  if (named.length > 1) {
    const ids = named.map((p) => shortUserId(p.userId)).join(', ');
    return {
      ok: false,
      error: `${named.length} people are called "${wanted}" (${ids}): use an ID`,
    };
  }
  if (/^u:[a-z2-7-]{4,}$/.test(lower)) {
    const byShort = all.filter((p) => shortUserId(p.userId).startsWith(lower));
    if (byShort.length === 1 && byShort[0] !== undefined) {
      return { ok: true, userId: byShort[0].userId };
    }
    if (byShort.length > 1)
      return { ok: false, error: `"${wanted}" fits several people: type more` };
  }
  return {
    ok: false,
    error: `nobody called "${wanted}" among your contacts: /contacts lists them, /add <link> adds one`,
  };
}
