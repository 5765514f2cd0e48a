import {
  decodeContactLink,
  encodeContactLink,
  joinKey,
  keyPrefix,
  type ContactLink,
  type KvStore,
  type UserId,
} from '@kith/core';

const PREFIX = ['node', 'contact'] as const;

/**
 * The people this device knows how to reach, each kept as their latest contact link (the link
 * is the whole record: user key, name, devices and their addresses, relays).
 */
export class ContactBook {
  readonly #kv: KvStore;
  readonly #contacts = new Map<UserId, ContactLink>();

  private constructor(kv: KvStore) {
    this.#kv = kv;
  }

  static async load(kv: KvStore): Promise<ContactBook> {
    const book = new ContactBook(kv);
    for await (const [, value] of kv.entries({ prefix: keyPrefix(...PREFIX) })) {
      const link = decodeContactLink(new TextDecoder().decode(value));
      book.#contacts.set(link.userId, link);
    }
    return book;
  }

  get(userId: UserId): ContactLink | undefined {
    return this.#contacts.get(userId);
  }

  all(): ContactLink[] {
    return [...this.#contacts.values()];
  }

  /** Adds or replaces a contact (a newer link from the same user replaces the older). */
  async add(link: ContactLink): Promise<void> {
    const text = encodeContactLink(link);
    await this.#kv.put(joinKey(...PREFIX, link.userId), new TextEncoder().encode(text));
    this.#contacts.set(link.userId, link);
  }
}
