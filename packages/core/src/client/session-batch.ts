import type { KvOperation, KvStore } from '../storage/store.ts';
import type { ConversationDoc } from '../timeline/conversation-doc.ts';
import type { KithEvent } from './events.ts';
import type { RoomStore } from './room-store.ts';
import { heldUpdates } from './session-helpers.ts';

/** Ticks on which the body range is compacted after a purge (see `compactPurged`). */
const PURGE_COMPACTIONS = 3;

/**
 * A room's unit of work: the storage operations and events its last steps produced, written in
 * one batch and only then emitted (`flush`), so that nothing a user saw is missing after a
 * crash. It also decides when the timeline is snapshotted and when purged bodies are compacted
 * out of the database files, since both follow from what a flush writes.
 */
export class SessionBatch {
  readonly #kv: KvStore;
  readonly #store: RoomStore;
  readonly #doc: ConversationDoc;
  readonly #emit: (event: KithEvent) => void;
  #ops: KvOperation[] = [];
  #events: KithEvent[] = [];
  /** Signed updates stored since the last snapshot. */
  #sinceSnapshot = 0;
  /** Compactions still due after bodies were purged (see `compactPurged`). */
  #compactions = 0;

  constructor(
    kv: KvStore,
    store: RoomStore,
    doc: ConversationDoc,
    emit: (event: KithEvent) => void,
  ) {
    this.#kv = kv;
    this.#store = store;
    this.#doc = doc;
    this.#emit = emit;
  }

  queue(ops: readonly KvOperation[]): void {
    this.#ops.push(...ops);
  }

  /** Queues an event, emitted once what led to it is stored. */
  note(event: KithEvent): void {
    this.#events.push(event);
  }

  /** Queues storing a signed update the timeline accepted (it counts towards the snapshot). */
  storeUpdate(author: Uint8Array, seq: number, encoded: Uint8Array): void {
    this.#ops.push(this.#store.putUpdate(author, seq, encoded));
    this.#sinceSnapshot++;
  }

  /** Queues a snapshot of the timeline now (its verdicts changed, or the room closes). */
  snapshot(): void {
    this.#ops.push(this.#store.putSnapshot(this.#doc.snapshot({ bodies: false })));
    this.#sinceSnapshot = 0;
  }

  /** Writes what the last steps changed in one batch, then emits their events. */
  async flush(): Promise<void> {
    // A snapshot bounds the work of reopening: taken once a quarter of what is stored (and at
    // least 1000 updates) came after the last one, so its cost stays proportional.
    if (this.#sinceSnapshot >= 1000 && this.#sinceSnapshot * 4 >= heldUpdates(this.#doc)) {
      this.snapshot();
    }
    const bodies = this.#doc.takeStoreChanges();
    if (bodies.purged.length > 0) this.#compactions = PURGE_COMPACTIONS;
    this.#ops.push(...this.#store.bodyOps(bodies));
    const ops = this.#ops;
    this.#ops = [];
    if (ops.length > 0) await this.#kv.batch(ops);
    const events = this.#events;
    this.#events = [];
    for (const e of events) this.#emit(e);
  }

  /**
   * Makes purged bodies leave the database files too. Batched: called from the tick and on
   * close, not after every purge (a compaction rewrites the files of the whole body range),
   * and on a few ticks in a row, since LevelDB keeps what a concurrent reader could still see.
   */
  async compactPurged(): Promise<void> {
    if (this.#compactions === 0) return;
    this.#compactions--;
    await this.#kv.compact(this.#store.bodyPrefix);
  }
}
