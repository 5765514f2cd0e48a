import type { InvitePolicy, KithClient, UserId } from '@kith/core';

/** Blocking people and who may invite this user: the receiver's own policy. */
export class PersonalSafety {
  readonly #client: KithClient;
  readonly #nameOf: (user: UserId) => string;
  readonly #changed: () => void;

  constructor(client: KithClient, nameOf: (user: UserId) => string, changed: () => void) {
    this.#client = client;
    this.#nameOf = nameOf;
    this.#changed = changed;
  }

  /** Users this user blocks: their messages are hidden and their invitations refused. */
  blocked(): { userId: UserId; displayName: string }[] {
    return this.#client
      .blockedUsers()
      .map((b) => ({ userId: b.userId, displayName: this.#nameOf(b.userId) }));
  }

  get invitePolicy(): InvitePolicy {
    return this.#client.invitePolicy;
  }

  async block(user: UserId): Promise<void> {
    await this.#client.blockUser(user);
    this.#changed();
  }

  async unblock(user: UserId): Promise<void> {
    await this.#client.unblockUser(user);
    this.#changed();
  }

  /** Who may invite this user into rooms: anyone, contacts only, or nobody. */
  async setInvitePolicy(policy: InvitePolicy): Promise<void> {
    await this.#client.setInvitePolicy(policy);
    this.#changed();
  }
}
