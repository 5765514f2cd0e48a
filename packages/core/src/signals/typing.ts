import type { DeviceId, UserId } from '../ids.ts';
import { SignalTimings } from './limits.ts';

/**
 * This device's typing state in one room, turned into as few signals as will do: "typing" when
 * the user starts and again every `typingRefreshMs` while they go on (receivers expire it
 * after `typingExpiryMs`), and "stopped" once, only while receivers still show it.
 */
export class TypingSender {
  #shown = false;
  #sentAt = Number.NEGATIVE_INFINITY;

  /** The signal to send now for `typing` (true, false), or undefined for none. */
  next(typing: boolean, now: number): boolean | undefined {
    if (typing) {
      if (this.#shown && now - this.#sentAt < SignalTimings.typingRefreshMs) return undefined;
      this.#shown = true;
      this.#sentAt = now;
      return true;
    }
    if (!this.#shown) return undefined;
    this.#shown = false;
    return now - this.#sentAt < SignalTimings.typingExpiryMs ? false : undefined;
  }

  /**
   * The user sent a message: receivers stop showing them typing when it arrives, so no
   * "stopped" is needed, and the next keystroke says "typing" at once.
   */
  sent(): void {
    this.#shown = false;
  }
}

/** Who is typing in one room, from the signals of its members' devices. */
export class TypingBoard {
  readonly #until = new Map<DeviceId, { readonly user: UserId; readonly until: number }>();
  #reported: readonly UserId[] = [];

  /** Records a device's signal (its MLS sender: nobody else can speak for it). */
  set(device: DeviceId, user: UserId, typing: boolean, now: number): void {
    if (typing) this.#until.set(device, { user, until: now + SignalTimings.typingExpiryMs });
    else this.#until.delete(device);
  }

  /** Forgets the devices of users no longer in the room. */
  retain(isMember: (device: DeviceId) => boolean): void {
    for (const device of this.#until.keys()) if (!isMember(device)) this.#until.delete(device);
  }

  /** The users typing now if they differ from the last report (expired signals dropped). */
  changes(now: number): UserId[] | undefined {
    for (const [device, entry] of this.#until) if (entry.until <= now) this.#until.delete(device);
    const users = this.users(now);
    if (sameUsers(users, this.#reported)) return undefined;
    this.#reported = users;
    return users;
  }

  /** Users with a device typing now, in the order they started. */
  users(now: number): UserId[] {
    const users = new Set<UserId>();
    for (const entry of this.#until.values()) if (entry.until > now) users.add(entry.user);
    return [...users];
  }
}

function sameUsers(a: readonly UserId[], b: readonly UserId[]): boolean {
  return a.length === b.length && a.every((u, i) => u === b[i]);
}
