import { safetyNumber, type DeviceId, type KithClient, type UserId } from '@kith/core';

/** Where verifications are kept: the device's app data (`KithDevice.appData`). */
export interface VerificationStore {
  get<T>(...key: string[]): Promise<T | undefined>;
  put(value: unknown, ...key: string[]): Promise<void>;
}

/** What verifying needs to know of a contact. */
export interface ContactKeys {
  readonly userPublicKey: Uint8Array;
  /** Every device of theirs this device knows: their link's and those in shared rooms. */
  readonly devices: readonly DeviceId[];
}

/** What the person last checked, kept per user. */
interface VerifiedRecord {
  readonly safetyNumber: string;
  readonly devices: readonly string[];
  readonly at: number;
}

export type Verification =
  | { readonly kind: 'unverified' }
  | { readonly kind: 'verified'; readonly at: number }
  /** Verified once, but what was verified is no longer what there is: compare again. */
  | {
      readonly kind: 'changed';
      readonly at: number;
      readonly added: readonly DeviceId[];
      readonly removed: readonly string[];
      readonly keyChanged: boolean;
    };

const KEY = 'verified-contacts';

/**
 * Contact verification: the safety number two people compare (core's `safetyNumber` of both
 * user keys), whether this person marked a contact verified, and whether the contact's keys or
 * devices changed since. A new device is worth telling: whoever holds the user's key can add
 * one, and a person who verified their contact wants to know when one appears.
 */
export class ContactVerification {
  readonly #myKey: Uint8Array;
  readonly #store: VerificationStore;
  readonly #keysOf: (user: UserId) => ContactKeys | undefined;
  readonly #changed: () => void;
  #records = new Map<UserId, VerifiedRecord>();

  constructor(
    myKey: Uint8Array,
    store: VerificationStore,
    keysOf: (user: UserId) => ContactKeys | undefined,
    changed: () => void,
  ) {
    this.#myKey = myKey;
    this.#store = store;
    this.#keysOf = keysOf;
    this.#changed = changed;
  }

  /** Reads what was verified before (once, after opening). */
  async load(): Promise<void> {
    const saved = await this.#store.get<Record<string, VerifiedRecord>>(KEY);
    this.#records = new Map(Object.entries(saved ?? {}) as [UserId, VerifiedRecord][]);
    this.#changed();
  }

  /** The number to compare with the contact's; undefined for a user with no known key. */
  safetyNumber(user: UserId): string | undefined {
    const keys = this.#keysOf(user);
    return keys === undefined ? undefined : safetyNumber(this.#myKey, keys.userPublicKey);
  }

  state(user: UserId): Verification {
    const record = this.#records.get(user);
    if (record === undefined) return { kind: 'unverified' };
    const now = this.safetyNumber(user);
    const devices = this.#keysOf(user)?.devices ?? [];
    const was = new Set(record.devices);
    const added = devices.filter((d) => !was.has(d));
    const removed = record.devices.filter((d) => !devices.includes(d as DeviceId));
    const keyChanged = now !== record.safetyNumber;
    if (!keyChanged && added.length === 0 && removed.length === 0) {
      return { kind: 'verified', at: record.at };
    }
    return { kind: 'changed', at: record.at, added, removed, keyChanged };
  }

  /** Marks the contact verified as they are now: their key and every device known. */
  async verify(user: UserId, now: number): Promise<void> {
    const number = this.safetyNumber(user);
    if (number === undefined) throw new Error('no key is known for this contact');
    const devices = [...(this.#keysOf(user)?.devices ?? [])].sort();
    await this.#save(new Map(this.#records).set(user, { safetyNumber: number, devices, at: now }));
  }

  async unverify(user: UserId): Promise<void> {
    const next = new Map(this.#records);
    next.delete(user);
    await this.#save(next);
  }

  async #save(next: Map<UserId, VerifiedRecord>): Promise<void> {
    await this.#store.put(Object.fromEntries(next), KEY);
    this.#records = next;
    this.#changed();
  }
}

/** What `contactKeys` reads of a device (the messenger's device). */
interface KeysSource {
  readonly client: KithClient;
  contacts(): readonly {
    userId: UserId;
    userPublicKey: Uint8Array;
    devices: readonly DeviceId[];
  }[];
}

/** A contact's key, and their devices from their link and from the rooms shared with them. */
export function contactKeys(device: KeysSource, user: UserId): ContactKeys | undefined {
  const contact = device.contacts().find((c) => c.userId === user);
  if (contact === undefined) return undefined;
  const devices = new Set(contact.devices);
  for (const room of device.client.rooms()) {
    const member = device.client.members(room.roomId).find((m) => m.userId === user);
    for (const d of member?.devices ?? []) devices.add(d.deviceId);
  }
  return { userPublicKey: contact.userPublicKey, devices: [...devices] };
}
