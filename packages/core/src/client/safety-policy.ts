import type { UserId } from '../ids.ts';
import { activeParticipants, type RoomState } from '../room/room-state.ts';
import type { TimelineChange, TimelineMessage } from '../timeline/timeline-message.ts';
import { ClientError } from './errors.ts';
import type { KithEvent } from './events.ts';
import type { InvitePolicy } from './safety-settings.ts';

/** Why this device refused to join a room it was invited to. */
export type InviteRefusalReason =
  /** The inviter is a user this user blocked. */
  | 'blocked'
  /** The invite policy is 'contacts' and the inviter is not one. */
  | 'not-a-contact'
  /** The invite policy is 'nobody'. */
  | 'nobody'
  /** The Welcome did not come from a device of the room, so the inviter is unknown. */
  | 'unknown-inviter';

export type InviteVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: InviteRefusalReason };

export interface InviteContext {
  /** This user: their own devices may always add this device (linking a new device). */
  readonly self: UserId;
  readonly policy: InvitePolicy;
  isBlocked(user: UserId): boolean;
  isContact(user: UserId): boolean;
}

/**
 * Whether to join a room `inviter` invited this device to. The receiving device decides: the
 * inviter's own client cannot be trusted to respect a policy it never learns.
 */
export function judgeInvite(inviter: UserId | undefined, c: InviteContext): InviteVerdict {
  if (inviter === c.self) return { ok: true };
  if (inviter === undefined) {
    return c.policy === 'anyone' ? { ok: true } : { ok: false, reason: 'unknown-inviter' };
  }
  if (c.isBlocked(inviter)) return { ok: false, reason: 'blocked' };
  if (c.policy === 'nobody') return { ok: false, reason: 'nobody' };
  if (c.policy === 'contacts' && !c.isContact(inviter)) {
    return { ok: false, reason: 'not-a-contact' };
  }
  return { ok: true };
}

/** Starting a DM with a blocked user is refused: unblock them first. */
export function refuseDmWithBlocked(room: RoomState, isBlocked: (user: UserId) => boolean): void {
  const blocked = activeParticipants(room).find(isBlocked);
  if (blocked !== undefined) {
    throw new ClientError('NOT_ALLOWED', `you blocked ${blocked}: unblock them to start a DM`);
  }
}

/**
 * A message as this user sees it: undefined when its sender is blocked, and without the
 * reactions of blocked users. The stored timeline keeps everything, so unblocking shows it all
 * again; hiding is a view, not a deletion (nobody else's view changes).
 */
function visibleMessage(
  m: TimelineMessage,
  isBlocked: (user: UserId) => boolean,
): TimelineMessage | undefined {
  if (isBlocked(m.sender)) return undefined;
  let stripped: Map<string, ReadonlySet<UserId>> | undefined;
  for (const [emoji, users] of m.reactions) {
    if (![...users].some(isBlocked)) continue;
    stripped ??= new Map(m.reactions);
    const kept = new Set([...users].filter((u) => !isBlocked(u)));
    if (kept.size === 0) stripped.delete(emoji);
    else stripped.set(emoji, kept);
  }
  return stripped === undefined ? m : withReactions(m, stripped);
}

/**
 * The message with other reactions. The reducer's messages decode their content lazily
 * (getters over private state), so a spread copy would lose it: every other property is read
 * from the original, with the original as `this`.
 */
function withReactions(
  m: TimelineMessage,
  reactions: ReadonlyMap<string, ReadonlySet<UserId>>,
): TimelineMessage {
  return new Proxy(m, {
    get: (target, property) =>
      property === 'reactions' ? reactions : (Reflect.get(target, property, target) as unknown),
  });
}

export function visibleTimeline(
  messages: readonly TimelineMessage[],
  isBlocked: (user: UserId) => boolean,
): TimelineMessage[] {
  const out: TimelineMessage[] = [];
  for (const m of messages) {
    const v = visibleMessage(m, isBlocked);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * An event as this user sees it: timeline changes about blocked users' messages are dropped
 * (undefined when nothing is left); every other event passes unchanged.
 */
export function visibleEvent(
  event: KithEvent,
  isBlocked: (user: UserId) => boolean,
): KithEvent | undefined {
  if (event.type !== 'timeline') return event;
  const changes: TimelineChange[] = [];
  for (const change of event.changes) {
    if (change.type === 'removed') {
      changes.push(change);
      continue;
    }
    const message = visibleMessage(change.message, isBlocked);
    if (message !== undefined)
      changes.push(message === change.message ? change : { ...change, message });
  }
  if (changes.length === 0) return undefined;
  return changes.length === event.changes.length && changes.every((c, i) => c === event.changes[i])
    ? event
    : { ...event, changes };
}
