import * as Y from 'yjs';
import { decodeSignedUpdate } from '@kith/core';
import { format, goal, measure, report } from './measure.ts';
import { benchConversation } from './timeline-fixtures.ts';

/**
 * Answering a member that missed the last messages: `encodedUpdatesSince` with that member's
 * timeline state vector (the signed updates as received, ready to forward), against raw Yjs
 * computing the missing part of the same document, `Y.encodeStateAsUpdate(doc, stateVector)`.
 */
export function benchSyncDiff(quick: boolean): void {
  const ops = quick ? 5 : 20;
  const rounds = quick ? 3 : 5;
  const c = benchConversation(quick);
  const missing = c.doc.encodedUpdatesSince(c.behind);
  if (missing.length !== c.gap) throw new Error(`${missing.length} updates for ${c.gap} messages`);

  // The same two states in raw Yjs: the member's, and the full document.
  const skip = new Set(missing);
  const peer = new Y.Doc();
  const full = new Y.Doc();
  for (const encoded of c.doc.encodedUpdatesSince(new Map())) {
    const update = decodeSignedUpdate(encoded).update;
    if (!skip.has(encoded)) Y.applyUpdate(peer, update);
    Y.applyUpdate(full, update);
  }
  const stateVector = Y.encodeStateVector(peer);
  const yjsDiff = Y.encodeStateAsUpdate(full, stateVector);
  Y.applyUpdate(peer, yjsDiff);
  if (!sameState(peer, full)) throw new Error('the Yjs diff does not complete the peer');

  const kith = measure('encodedUpdatesSince', ops, rounds, () =>
    c.doc.encodedUpdatesSince(c.behind),
  );
  const raw = measure('Y.encodeStateAsUpdate(doc, sv)', ops, rounds, () =>
    Y.encodeStateAsUpdate(full, stateVector),
  );
  const kithBytes = missing.reduce((n, u) => n + u.length, 0);
  report(
    `sync diff: ${c.gap.toLocaleString('en')} messages missing of ` +
      `${c.messages.toLocaleString('en')} (kith ${kb(kithBytes)} KiB in ${missing.length} ` +
      `signed updates, Yjs ${kb(yjsDiff.length)} KiB in one update)`,
    [[kith, raw]],
    'ms',
  );
  goal('sync diff', kith.nsPerOp / 1e6, { below: 50 }, 'ms');
}

function sameState(a: Y.Doc, b: Y.Doc): boolean {
  const [x, y] = [
    Y.decodeStateVector(Y.encodeStateVector(a)),
    Y.decodeStateVector(Y.encodeStateVector(b)),
  ];
  return x.size === y.size && [...x].every(([client, clock]) => y.get(client) === clock);
}

function kb(bytes: number): string {
  return format(bytes / 1024);
}
