import {
  findAttachment,
  type BlobId,
  type BlobStore,
  type KithClient,
  type MessageId,
  type RoomId,
  type TimelineMessage,
} from '@kith/core';

/**
 * Asks the places that keep a blob for others (a room's relays) to drop it. The relay blob
 * store wires this; a device without relays uses none.
 */
export interface BlobRetention {
  /** The blob `id`, sent in `roomId`, is no longer wanted: no message of the room names it. */
  drop(roomId: RoomId, id: BlobId): Promise<void>;
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Deletes a file from the device once no message names it any more: when the last message
 * carrying it is retracted or expires (the timeline's `retracted` and `removed` changes), and
 * then asks `retention` to drop it from relays. Blobs are counted by reference: a member who
 * sends a message naming someone else's blob, then retracts it, deletes nothing that another
 * message still names.
 */
export class BlobJanitor {
  readonly #client: KithClient;
  readonly #store: BlobStore;
  readonly #retention: BlobRetention | undefined;
  readonly #onError: (error: unknown) => void;
  /** Message (room + ID) → the blobs its versions name. */
  readonly #byMessage = new Map<string, { roomId: RoomId; blobs: Set<BlobId> }>();
  /** Blob → the messages naming it. */
  readonly #refs = new Map<BlobId, Set<string>>();
  readonly #seeded = new Set<RoomId>();
  #stop: (() => void) | undefined;
  #work: Promise<void> = Promise.resolve();

  constructor(
    client: KithClient,
    store: BlobStore,
    retention: BlobRetention | undefined,
    onError: (error: unknown) => void,
  ) {
    this.#client = client;
    this.#store = store;
    this.#retention = retention;
    this.#onError = onError;
  }

  /** Learns what the rooms' messages name and follows the timeline from now on. */
  start(): void {
    for (const room of this.#client.rooms()) this.#seed(room.roomId);
    this.#stop = this.#client.on('timeline', ({ roomId, changes }) => {
      this.#seed(roomId);
      for (const change of changes) {
        if (change.type === 'added' || change.type === 'edited')
          this.#learn(roomId, change.message);
        else if (change.type === 'retracted') this.#forget(roomId, change.message.messageId);
        else if (change.type === 'removed') this.#forget(roomId, change.messageId);
      }
    });
  }

  /** Waits for the deletions under way (tests, and closing). */
  settled(): Promise<void> {
    return this.#work;
  }

  /** Stops following the timeline (the device is closing). */
  close(): void {
    this.#stop?.();
  }

  #seed(roomId: RoomId): void {
    if (this.#seeded.has(roomId)) return;
    this.#seeded.add(roomId);
    for (const message of this.#client.timeline(roomId)) this.#learn(roomId, message);
  }

  #learn(roomId: RoomId, message: TimelineMessage): void {
    const versions =
      message.edits.length > 0 ? message.edits.map((v) => v.content) : [message.content];
    for (const content of versions) {
      let id: BlobId | undefined;
      try {
        id = findAttachment(content)?.id;
      } catch {
        continue; // an ExternalPart that is no Kith blob names nothing here
      }
      if (id === undefined) continue;
      const key = `${roomId}/${hex(message.messageId)}`;
      const entry = this.#byMessage.get(key) ?? { roomId, blobs: new Set<BlobId>() };
      entry.blobs.add(id);
      this.#byMessage.set(key, entry);
      const refs = this.#refs.get(id) ?? new Set<string>();
      refs.add(key);
      this.#refs.set(id, refs);
    }
  }

  #forget(roomId: RoomId, messageId: MessageId): void {
    const key = `${roomId}/${hex(messageId)}`;
    const entry = this.#byMessage.get(key);
    if (entry === undefined) return;
    this.#byMessage.delete(key);
    for (const id of entry.blobs) {
      const refs = this.#refs.get(id);
      refs?.delete(key);
      if (refs !== undefined && refs.size > 0) continue;
      this.#refs.delete(id);
      this.#work = this.#work
        .then(async () => {
          await this.#store.delete(id);
          await this.#retention?.drop(roomId, id);
        })
        .catch(this.#onError);
    }
  }
}
