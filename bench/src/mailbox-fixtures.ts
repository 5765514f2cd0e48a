import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import {
  decodeMailboxResponse,
  encodeMailboxRequest,
  mailboxKeyOf,
  signMailboxPut,
  signMailboxPutMany,
  signMailboxRead,
  type MailboxKey,
  type MailboxResponse,
} from '@kith/core';

/**
 * Mailbox traffic for the relay benchmarks: mailboxes (one epoch of one room each, named by
 * its mailbox key), and put requests of ciphertext-sized messages signed with that key for
 * one relay. Everything is built and signed before the clock starts: signing is the devices'
 * cost, not the relay's.
 */

/** About a short chat message's MLS ciphertext with its signed update (see pipeline). */
export const MESSAGE_BYTES = 500;

export interface MailboxTopic {
  readonly key: MailboxKey;
  /** The peer ID of the relay the requests are signed for. */
  readonly relay: string;
}

export interface MailboxWorkload {
  readonly topics: readonly MailboxTopic[];
  /** Encoded put (or putMany) requests, message `i` to topic `i % topics.length`. */
  readonly puts: readonly Uint8Array[];
  /** Messages in all requests together. */
  readonly messages: number;
}

/**
 * `messages` messages over `topicCount` topics; with `batch` > 1, each request is a putMany
 * of `batch` consecutive messages of one topic (as a device sends what queued up meanwhile).
 */
export function mailboxWorkload(
  relay: string,
  topicCount: number,
  messages: number,
  batch = 1,
): MailboxWorkload {
  const topics = Array.from({ length: topicCount }, (): MailboxTopic => ({
    key: mailboxKeyOf(1n, random(16), random(32)),
    relay,
  }));
  const requests = Math.ceil(messages / batch);
  const puts = Array.from({ length: requests }, (_, i) => {
    const { key } = topics[i % topicCount] ?? missing('topic');
    const count = Math.min(batch, messages - i * batch);
    const data = Array.from({ length: count }, () => random(MESSAGE_BYTES));
    const mailbox = key.keyPair.publicKey;
    const only = data[0] ?? missing('message');
    return encodeMailboxRequest(
      batch === 1
        ? { type: 'put', mailbox, data: only, signature: signMailboxPut(key, relay, only) }
        : { type: 'putMany', mailbox, data, signature: signMailboxPutMany(key, relay, data) },
    );
  });
  return { topics, puts, messages };
}

/** A signed fetch of the messages after `after`, at most 500 (a page). */
function fetchRequest(topic: MailboxTopic, after: bigint): Uint8Array {
  return encodeMailboxRequest({
    type: 'fetch',
    mailbox: topic.key.keyPair.publicKey,
    after,
    limit: 500,
    signature: signMailboxRead(topic.key, topic.relay, after),
  });
}

/** Throws unless the relay answered ok (a refusal in a benchmark is a setup error). */
function expectOk(bytes: Uint8Array, what: string): void {
  const response = decodeMailboxResponse(bytes);
  if (response.type !== 'ok') throw new Error(`${what}: ${describe(response)}`);
}

/**
 * Fetches a topic's whole mailbox page by page through `exchange` (in process or over the
 * network); returns how many messages came back.
 */
export async function fetchAll(
  topic: MailboxTopic,
  exchange: (request: Uint8Array) => Promise<Uint8Array>,
): Promise<number> {
  let after = 0n;
  let count = 0;
  for (;;) {
    const response = decodeMailboxResponse(await exchange(fetchRequest(topic, after)));
    if (response.type !== 'messages') throw new Error(`fetch: ${describe(response)}`);
    count += response.messages.length;
    after = response.messages.at(-1)?.seq ?? after;
    if (!response.more) return count;
  }
}

/**
 * Sends every put through `writers` concurrent writers, each awaiting its answer before its
 * next request (writer `w` sends puts `w`, `w + writers`, ...); returns the elapsed ms.
 */
export async function putAll(
  puts: readonly Uint8Array[],
  writers: number,
  exchange: (writer: number, request: Uint8Array) => Promise<Uint8Array>,
): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < puts.length; i += writers) {
        expectOk(await exchange(w, puts[i] ?? missing('put')), `put ${i}`);
      }
    }),
  );
  return performance.now() - start;
}

function missing(what: string): never {
  throw new Error(`no such ${what}`);
}

function random(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

function describe(response: MailboxResponse): string {
  return response.type === 'refused'
    ? `refused ${response.code}: ${response.message}`
    : `unexpected ${response.type}`;
}

/** Raw classic-level over the same message sizes: the baseline of the mailbox benchmarks. */
export interface RawLevelRun {
  readonly writeMs: number;
  readonly readMs: number;
}

/**
 * `messages` values of MESSAGE_BYTES, one `put` each (awaited) from `writers` concurrent
 * writers spread over `topicCount` key ranges, as the mailbox writes them; then every range
 * read back with an iterator, the ranges concurrently, as devices fetch their mailboxes.
 */
export async function rawLevel(
  dir: string,
  topicCount: number,
  messages: number,
  writers: number,
): Promise<RawLevelRun> {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'raw'), {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
  });
  await db.open();
  try {
    const values = Array.from({ length: messages }, () => random(MESSAGE_BYTES));
    const key = (i: number): string =>
      `m/${String(i % topicCount).padStart(4, '0')}/${String(i).padStart(10, '0')}`;
    const writeStart = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = w; i < messages; i += writers) {
          await db.put(key(i), values[i] ?? missing('value'));
        }
      }),
    );
    const writeMs = performance.now() - writeStart;
    const readStart = performance.now();
    const counts = await Promise.all(
      Array.from({ length: topicCount }, async (_, t) => {
        const prefix = `m/${String(t).padStart(4, '0')}/`;
        let n = 0;
        for await (const value of db.values({ gte: prefix, lt: `${prefix}~` })) {
          if (value.length === MESSAGE_BYTES) n++;
        }
        return n;
      }),
    );
    const readMs = performance.now() - readStart;
    const read = counts.reduce((a, b) => a + b, 0);
    if (read !== messages) throw new Error(`classic-level read ${read} of ${messages}`);
    return { writeMs, readMs };
  } finally {
    await db.close();
  }
}
