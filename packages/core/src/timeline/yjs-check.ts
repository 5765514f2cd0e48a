import * as Y from 'yjs';
import type { MimiContent } from '../content/model.ts';
import type { AuthorChain, LogItemId } from './author-chain.ts';
import { decodeEnvelope, type EntryEnvelope } from './envelope.ts';
import { META_KEY_PATTERN, TimelineLimits } from './limits.ts';
import type { RejectReason } from './verdict.ts';

/** A new timeline entry found in an update, already checked. */
export interface CheckedEntry {
  readonly envelope: EntryEnvelope;
  /** Known when this device wrote it; otherwise decoded from the body once it is there. */
  readonly content?: MimiContent | undefined;
  /** Index in the author's log. */
  readonly position: number;
  /** The Yjs item holding it (absent when read back from the Y.Doc). */
  readonly item?: LogItemId | undefined;
}

export type YjsCheck =
  | {
      readonly ok: true;
      readonly entries: readonly CheckedEntry[];
      readonly lastLogItem: LogItemId | null;
      readonly lastLamport: number;
    }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

type Place =
  | { readonly root: 'log' }
  | { readonly root: 'meta'; readonly key: string }
  | { readonly fail: YjsCheck & { ok: false } };

function fail(reason: RejectReason, detail: string): YjsCheck & { ok: false } {
  return { ok: false, reason, detail };
}

/**
 * Checks a Yjs update against the author's namespace before it is applied: it may only add
 * items under the author's current client ID, contiguous with what that client has, only into
 * `log:<author>` (at the end) and `meta:<author>`, referencing only the author's own items, and
 * delete only the author's own `meta:` items. Everything here depends on the update and on the
 * author's earlier accepted updates alone (nobody else can write under the author's client IDs),
 * so every member reaches the same verdict whatever else it has received.
 */
export function checkYjsUpdate(
  doc: Y.Doc,
  chain: AuthorChain,
  seq: number,
  generation: number,
  update: Uint8Array,
): YjsCheck {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch (error) {
    return fail('malformed-yjs', error instanceof Error ? error.message : 'undecodable');
  }
  const own = chain.clientId(generation);
  const log = doc.getArray<Uint8Array>(chain.logRoot);
  const meta = doc.getMap<Uint8Array>(chain.metaRoot);
  const startClock = Y.getState(doc.store, own);
  let clock = startClock;
  // Placement of this update's own items, one per clock.
  const local: Place[] = [];
  const entries: CheckedEntry[] = [];
  let tail = chain.lastLogItem;
  let lamport = chain.lastLamport;

  const resolve = (id: Y.ID): Place => {
    if (!chain.ownsClient(id.client, generation)) {
      return { fail: fail('foreign-reference', `reference to client ${id.client}`) };
    }
    if (id.client === own && id.clock >= startClock) {
      return local[id.clock - startClock] ?? { fail: fail('missing-reference', 'forward origin') };
    }
    const item = findItem(doc, id);
    if (item === undefined) return { fail: fail('missing-reference', `no item ${idText(id)}`) };
    if (item.parent === log) return { root: 'log' };
    if (item.parent === meta && typeof item.parentSub === 'string') {
      return { root: 'meta', key: item.parentSub };
    }
    return { fail: fail('missing-reference', `item ${idText(id)} outside the author's roots`) };
  };

  for (const struct of decoded.structs) {
    if (struct.id.client !== own) {
      return fail('foreign-client', `struct of client ${struct.id.client}, expected ${own}`);
    }
    if (!(struct instanceof Y.Item)) return fail('unsupported-struct', 'GC or Skip struct');
    if (struct.id.clock !== clock) {
      return fail('clock-gap', `clock ${struct.id.clock}, expected ${clock}`);
    }
    const content = struct.content;
    if (!(content instanceof Y.ContentAny) && !(content instanceof Y.ContentBinary)) {
      return fail('unsupported-content', content.constructor.name);
    }
    clock += struct.length;
    if (struct.rightOrigin !== null) {
      return chain.ownsClient(struct.rightOrigin.client, generation)
        ? fail('log-not-append', 'an item with a right origin (insertion before another)')
        : fail('foreign-reference', `right origin in client ${struct.rightOrigin.client}`);
    }
    let place: Place;
    const origin = struct.origin;
    if (origin !== null) {
      place = resolve(origin);
    } else if (typeof struct.parent === 'string') {
      const root: string = struct.parent;
      if (root === chain.logRoot) {
        place =
          struct.parentSub === null ? { root: 'log' } : { fail: fail('bad-parent-sub', root) };
      } else if (root === chain.metaRoot) {
        place =
          struct.parentSub !== null && META_KEY_PATTERN.test(struct.parentSub)
            ? { root: 'meta', key: struct.parentSub }
            : { fail: fail('bad-parent-sub', `meta key ${String(struct.parentSub)}`) };
      } else {
        place = { fail: fail('foreign-root', `root ${root.slice(0, 80)}`) };
      }
    } else if (struct.parent instanceof Y.ID) {
      place = chain.ownsClient(struct.parent.client, generation)
        ? { fail: fail('unsupported-content', 'nested type') }
        : { fail: fail('foreign-reference', `parent in client ${struct.parent.client}`) };
    } else {
      place = { fail: fail('malformed-yjs', 'an item without parent or origin') };
    }
    if ('fail' in place) return place.fail;
    for (let n = struct.length; n > 0; n--) local.push(place);
    if (place.root === 'meta') {
      if (!(content instanceof Y.ContentBinary)) return fail('unsupported-content', 'meta value');
      if (content.content.length > TimelineLimits.maxMetaValueBytes) {
        return fail('entry-too-large', `meta value of ${content.content.length} bytes`);
      }
      continue;
    }
    // Log entries: appended after the author's last entry, never inserted or moved.
    if (!(content instanceof Y.ContentAny)) return fail('unsupported-content', 'log value');
    const expected = tail;
    const appended =
      expected === null
        ? origin === null
        : origin !== null && origin.client === expected.client && origin.clock === expected.clock;
    if (!appended) return fail('log-not-append', 'a log entry not at the end of the log');
    for (const [k, value] of content.arr.entries()) {
      const bytes = logValueBytes(value);
      if (bytes === undefined) return fail('unsupported-content', 'a log value is not [bytes]');
      const entry = checkEntry(bytes, seq, lamport);
      if ('reason' in entry) return entry;
      lamport = entry.envelope.lamport;
      const item = { client: own, clock: struct.id.clock + k };
      entries.push({ ...entry, position: log.length + entries.length, item });
    }
    tail = { client: own, clock: struct.id.clock + struct.length - 1 };
  }

  for (const [client, ranges] of decoded.ds.clients) {
    if (!chain.ownsClient(client, generation)) {
      return fail('foreign-delete', `delete in client ${client}`);
    }
    const known = client === own ? clock : Y.getState(doc.store, client);
    for (const range of ranges) {
      const end = range.clock + range.len;
      if (end > known) return fail('missing-reference', `delete of unknown items of ${client}`);
      const problem = checkDeletedRange(doc, meta, client, range.clock, end, (c) =>
        client === own && c >= startClock ? local[c - startClock] : undefined,
      );
      if (problem !== undefined) return problem;
    }
  }
  return { ok: true, entries, lastLogItem: tail, lastLamport: lamport };
}

/**
 * An element of a `log:` array is a one-element array holding the envelope bytes. Yjs would
 * store bare bytes as ContentBinary, which never merges, and its index search walks back over
 * every unmerged item of one client: each append would cost O(n). Arrays are ContentAny, which
 * merges into one item per run of appends.
 */
export function logValueBytes(value: unknown): Uint8Array | undefined {
  if (!Array.isArray(value) || value.length !== 1) return undefined;
  const bytes: unknown = value[0];
  return bytes instanceof Uint8Array ? bytes : undefined;
}

/**
 * The envelope only: the body is not part of the signed update (bodies.ts), so whether it
 * decodes decides whether the entry is shown, never the verdict on the update.
 */
function checkEntry(
  bytes: Uint8Array,
  seq: number,
  lastLamport: number,
): { envelope: EntryEnvelope } | (YjsCheck & { ok: false }) {
  if (bytes.length > TimelineLimits.maxEntryBytes) {
    return fail('entry-too-large', `entry of ${bytes.length} bytes`);
  }
  let envelope: EntryEnvelope;
  try {
    envelope = decodeEnvelope(bytes);
  } catch (error) {
    return fail('bad-envelope', error instanceof Error ? error.message : 'undecodable');
  }
  if (envelope.seq !== seq) {
    return fail('envelope-seq-mismatch', `entry says seq ${envelope.seq}, update is ${seq}`);
  }
  if (envelope.lamport <= lastLamport) {
    return fail('lamport-regressed', `lamport ${envelope.lamport} after ${lastLamport}`);
  }
  return { envelope };
}

/** Only the author's `meta:` items may be deleted (a map overwrite); log entries stay. */
function checkDeletedRange(
  doc: Y.Doc,
  meta: Y.Map<Uint8Array>,
  client: number,
  from: number,
  end: number,
  localPlace: (clock: number) => Place | undefined,
): (YjsCheck & { ok: false }) | undefined {
  const structs = doc.store.clients.get(client) ?? [];
  let c = from;
  while (c < end) {
    const place = localPlace(c);
    if (place !== undefined) {
      if (!('root' in place) || place.root !== 'meta')
        return fail('log-delete', 'delete of a log entry');
      c += 1;
      continue;
    }
    const index = Y.findIndexSS(structs, c);
    const struct = structs[index];
    if (!(struct instanceof Y.Item) || struct.parent !== meta) {
      return fail('log-delete', `delete of item ${client}:${c}, not a meta value`);
    }
    c = struct.id.clock + struct.length;
  }
  return undefined;
}

function findItem(doc: Y.Doc, id: Y.ID): Y.Item | undefined {
  if (id.clock >= Y.getState(doc.store, id.client)) return undefined;
  const structs = doc.store.clients.get(id.client);
  if (structs === undefined) return undefined;
  const struct = structs[Y.findIndexSS(structs, id.clock)];
  return struct instanceof Y.Item ? struct : undefined;
}

function idText(id: Y.ID): string {
  return `${id.client}:${id.clock}`;
}
