import {
  decodeCbor,
  encodeCbor,
  joinKey,
  keyPrefix,
  parseSeqKey,
  seqKey,
  splitKey,
  toHex,
  verifyInboxItem,
  InboxLimits,
  type InboxItem,
  type InboxRequest,
  type InboxResponse,
  type KvOperation,
  type KvStore,
} from '@kith/core';

/**
 * Per-device inboxes (docs/PROTOCOL.md §12.4): signed direct frames wait under
 * `ib/<recipient key>/<seq>` until the recipient, authenticated by its connection, fetches and
 * acknowledges them. Anyone may deposit (that is how a stranger's invitation arrives), within
 * the inbox's size limits and the relay's rate limits.
 */
export class InboxStore {
  readonly #kv: KvStore;
  #next = BigInt(Date.now()) * 1000n;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** `self` is the public key of the device asking (from its connection). */
  async handle(request: InboxRequest, self: Uint8Array): Promise<InboxResponse> {
    switch (request.type) {
      case 'deposit':
        return this.#deposit(request.item);
      case 'fetch':
        return { type: 'items', items: await this.#items(self) };
      case 'ack': {
        const ops: KvOperation[] = request.ids.map((id) => ({
          type: 'del',
          key: joinKey('ib', toHex(self), seqKey(id)),
        }));
        await this.#kv.batch(ops);
        return { type: 'ok' };
      }
    }
  }

  async #deposit(item: InboxItem): Promise<InboxResponse> {
    if (item.frame.length > InboxLimits.maxFrameBytes) {
      return { type: 'refused', message: 'the frame is too large for an inbox' };
    }
    if (!verifyInboxItem(item)) return { type: 'refused', message: 'the item signature is wrong' };
    const prefix = keyPrefix('ib', toHex(item.to));
    let count = 0;
    for await (const key of this.#kv.keys({ prefix })) {
      parseSeqKey(splitKey(key).at(-1) ?? '');
      count++;
    }
    if (count >= InboxLimits.maxItemsPerInbox) {
      return { type: 'refused', message: 'that device’s inbox is full' };
    }
    // Time-based sequence numbers keep order across restarts without a counter on disk.
    this.#next =
      this.#next < BigInt(Date.now()) * 1000n ? BigInt(Date.now()) * 1000n : this.#next + 1n;
    await this.#kv.put(
      joinKey('ib', toHex(item.to), seqKey(this.#next)),
      encodeCbor([item.to, item.from, item.frame, item.signature]),
    );
    return { type: 'ok' };
  }

  async #items(self: Uint8Array): Promise<{ id: bigint; item: InboxItem }[]> {
    const out: { id: bigint; item: InboxItem }[] = [];
    for await (const [key, value] of this.#kv.entries(
      { prefix: keyPrefix('ib', toHex(self)) },
      { limit: InboxLimits.maxFetch },
    )) {
      const [to, from, frame, signature] = decodeCbor(value) as Uint8Array[];
      if (
        to === undefined ||
        from === undefined ||
        frame === undefined ||
        signature === undefined
      ) {
        continue;
      }
      out.push({
        id: parseSeqKey(splitKey(key).at(-1) ?? ''),
        item: { to, from, frame, signature },
      });
    }
    return out;
  }
}
