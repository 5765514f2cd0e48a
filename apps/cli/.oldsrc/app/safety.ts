import {
  INVITE_POLICIES,
  isInvitePolicy,
  type InvitePolicy,
  type KithClient,
  type UserId,
} from '@kith/core';
import { AppError } from './app-error.ts';
import type { BlockedView, RefusedInviteView } from './views.ts';

/** Refused invitations remembered for the user to look at (the newest). */
const REFUSED_KEPT = 50;

/**
 * Personal safety as the daemon and the chat offer it: blocking users and "who can invite me".
 * The engine enforces both and keeps them; this adds names, and remembers the invitations it
 * refused during this run, for the user to see what was turned away and why.
 */
export class AppSafety {
  readonly #client: KithClient;
  readonly #nameOf: (user: UserId) => string;
  readonly #refused: RefusedInviteView[] = [];

  constructor(client: KithClient, nameOf: (user: UserId) => string, now: () => number) {
    this.#client = client;
    this.#nameOf = nameOf;
    client.on('inviteRefused', (e) => {
      this.#refused.push({
        roomId: e.roomId,
        from: e.from ?? null,
        fromName: e.from === undefined ? null : nameOf(e.from),
        reason: e.reason,
        ts: now(),
      });
      if (this.#refused.length > REFUSED_KEPT) this.#refused.shift();
    });
  }

  block(user: UserId): Promise<void> {
    return this.#client.blockUser(user);
  }

  unblock(user: UserId): Promise<void> {
    return this.#client.unblockUser(user);
  }

  blocked(): BlockedView[] {
    return this.#client.blockedUsers().map((b) => ({
      userId: b.userId,
      displayName: this.#nameOf(b.userId),
      since: b.since,
    }));
  }

  invitePolicy(): InvitePolicy {
    return this.#client.invitePolicy;
  }

  setInvitePolicy(policy: string): Promise<void> {
    if (!isInvitePolicy(policy)) {
      throw new AppError('INVALID_PARAMS', `policy must be one of ${INVITE_POLICIES.join(', ')}`);
    }
    return this.#client.setInvitePolicy(policy);
  }

  /** Invitations refused since the device started, oldest first. */
  refusedInvites(): RefusedInviteView[] {
    return [...this.#refused];
  }
}
