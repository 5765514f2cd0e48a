import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { isUserId } from '../identity/user-id.ts';
import type { UserId } from '../ids.ts';
import { joinKey, keyPrefix, splitKey } from '../storage/keys.ts';
import type { KvStore } from '../storage/store.ts';
import { ClientError } from './errors.ts';

/** Who may add this user to a room (checked on this device when a Welcome arrives). */
export type InvitePolicy = 'anyone' | 'contacts' | 'nobody';

/** Every invite policy, for settings screens and parsing. */
export const INVITE_POLICIES: readonly InvitePolicy[] = ['anyone', 'contacts', 'nobody'];

/** Whether `value` is an invite policy (for input from a user or a file). */
export function isInvitePolicy(value: unknown): value is InvitePolicy {
  return INVITE_POLICIES.includes(value as InvitePolicy);
}

/** A user this user blocked, and since when (the device's clock, milliseconds). */
export interface BlockedUser {
  readonly userId: UserId;
  readonly since: number;
}

const r: ShapeReader = new ShapeReader(
  (path, message) =>
    new ClientError('STORAGE_CORRUPT', `stored safety setting ${path}: ${message}`),
);

/**
 * This user's personal safety choices on this device: the users they block and who may invite
 * them. They are the user's own policy, never sent anywhere (others cannot tell they are
 * blocked), and kept under `safety/` in the device's store:
 * `safety/blocked/<userId>` → `[1, since]`, `safety/invites` → `[1, policy]`.
 */
export class SafetySettings {
  readonly #kv: KvStore;
  readonly #blocked = new Map<UserId, number>();
  #invitePolicy: InvitePolicy = 'anyone';

  private constructor(kv: KvStore) {
    this.#kv = kv;
  }

  static async load(kv: KvStore): Promise<SafetySettings> {
    const s = new SafetySettings(kv);
    for await (const [key, value] of kv.entries({ prefix: keyPrefix('safety', 'blocked') })) {
      const user = splitKey(key)[2];
      if (!isUserId(user)) r.fail(key, 'not a user ID');
      const a = r.array(decode(value, key), key, 2);
      r.version(a[0], 1);
      s.#blocked.set(user, r.uint(a[1], `${key}.since`));
    }
    const policy = await kv.get(POLICY_KEY);
    if (policy !== undefined) {
      const a = r.array(decode(policy, POLICY_KEY), POLICY_KEY, 2);
      r.version(a[0], 1);
      const p = r.text(a[1], `${POLICY_KEY}.policy`);
      if (!isInvitePolicy(p)) r.fail(POLICY_KEY, `unknown invite policy "${p}"`);
      s.#invitePolicy = p;
    }
    return s;
  }

  isBlocked(user: UserId): boolean {
    return this.#blocked.has(user);
  }

  /** Blocked users, in user ID order. */
  blocked(): BlockedUser[] {
    return [...this.#blocked]
      .map(([userId, since]) => ({ userId, since }))
      .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  }

  /** Blocks `user`; false when they were blocked already (nothing changes). */
  async block(user: UserId, now: number): Promise<boolean> {
    if (!isUserId(user))
      throw new ClientError('INVALID_ARGUMENT', `"${String(user)}" is not a user ID`);
    if (this.#blocked.has(user)) return false;
    const since = Math.max(0, Math.floor(now));
    await this.#kv.put(joinKey('safety', 'blocked', user), encodeCbor([1, since]));
    this.#blocked.set(user, since);
    return true;
  }

  /** Lifts a block; false when the user was not blocked. */
  async unblock(user: UserId): Promise<boolean> {
    if (!this.#blocked.has(user)) return false;
    await this.#kv.del(joinKey('safety', 'blocked', user));
    this.#blocked.delete(user);
    return true;
  }

  get invitePolicy(): InvitePolicy {
    return this.#invitePolicy;
  }

  async setInvitePolicy(policy: InvitePolicy): Promise<void> {
    if (!isInvitePolicy(policy)) {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `the invite policy is one of ${INVITE_POLICIES.join(', ')}`,
      );
    }
    await this.#kv.put(POLICY_KEY, encodeCbor([1, policy]));
    this.#invitePolicy = policy;
  }
}

const POLICY_KEY = joinKey('safety', 'invites');

function decode(bytes: Uint8Array, key: string): CborValue {
  try {
    return decodeCbor(bytes);
  } catch (cause) {
    throw new ClientError('STORAGE_CORRUPT', `stored safety setting ${key} is not CBOR`, { cause });
  }
}
