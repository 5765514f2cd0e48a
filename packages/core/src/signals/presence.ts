import type { DeviceId, UserId } from '../ids.ts';
import { SignalTimings } from './limits.ts';
import type { PresenceState } from './signal-codec.ts';

/** A user's presence as this device last learned it, all their devices together. */
export interface UserPresence {
  readonly user: UserId;
  readonly state: PresenceState;
  /** When a device of theirs last announced itself (this device's clock, ms since the epoch). */
  readonly lastSeen: number;
}

/**
 * This device's announcements in one room: on a change (at most one per
 * `presenceChangeMinMs`), then again once per refresh interval so receivers need not guess.
 * Offline is said once and not repeated.
 */
export class PresenceSender {
  #sent: PresenceState | undefined;
  #sentAt = Number.NEGATIVE_INFINITY;
  #soon = false;

  /**
   * A member device came within reach and has not heard this one: the next refresh comes
   * after a quarter of the interval instead (so churn in a large room stays cheap).
   */
  soon(): void {
    this.#soon = true;
  }

  /** The state to announce now, if any. */
  next(state: PresenceState, now: number, refreshMs: number): PresenceState | undefined {
    if (state === this.#sent) {
      const due = this.#soon ? refreshMs / 4 : refreshMs;
      if (state === 'offline' || now - this.#sentAt < due) return undefined;
    } else {
      // Nobody was told this device was here: no need to say it is gone.
      if (state === 'offline' && this.#sent === undefined) return undefined;
      if (now - this.#sentAt < SignalTimings.presenceChangeMinMs) return undefined;
    }
    this.#sent = state;
    this.#sentAt = now;
    this.#soon = false;
    return state;
  }
}

interface DevicePresence {
  readonly state: PresenceState;
  /** After this the announcement no longer holds and the device counts as offline. */
  readonly until: number;
  readonly heardAt: number;
}

const RANK: Record<PresenceState, number> = { offline: 0, away: 1, online: 2 };

/**
 * Presence of the people this device shares rooms with, from their devices' announcements in
 * any room: a user is online if one device is, else away if one is, else offline.
 */
export class PresenceBoard {
  readonly #users = new Map<UserId, Map<DeviceId, DevicePresence>>();
  readonly #reported = new Map<UserId, PresenceState>();

  /** Records an announcement of `device` (its MLS sender: nobody else can speak for it). */
  set(device: DeviceId, user: UserId, state: PresenceState, ttlMs: number, now: number): void {
    const devices = this.#users.get(user) ?? new Map<DeviceId, DevicePresence>();
    const ttl = Math.min(ttlMs, SignalTimings.presenceTtlMaxMs);
    devices.set(device, { state, until: state === 'offline' ? now : now + ttl, heardAt: now });
    this.#users.set(user, devices);
  }

  /** A user's presence, or undefined if none of their devices ever announced one. */
  of(user: UserId, now: number): UserPresence | undefined {
    let best: UserPresence | undefined;
    for (const d of this.#users.get(user)?.values() ?? []) {
      const state = d.until > now ? d.state : 'offline';
      best = {
        user,
        state: best === undefined || RANK[state] > RANK[best.state] ? state : best.state,
        lastSeen: Math.max(best?.lastSeen ?? 0, d.heardAt),
      };
    }
    return best;
  }

  /** Every user heard from. */
  all(now: number): UserPresence[] {
    return [...this.#users.keys()].flatMap((u) => this.of(u, now) ?? []);
  }

  /** Users whose presence changed since the last call (announcements, or ones running out). */
  changes(now: number): UserPresence[] {
    const out: UserPresence[] = [];
    for (const p of this.all(now)) {
      if (this.#reported.get(p.user) === p.state) continue;
      this.#reported.set(p.user, p.state);
      out.push(p);
    }
    return out;
  }
}
