import * as Y from 'yjs';
import { ConversationDoc, decodeSignedUpdate, deviceIdFromPublicKey } from '@kith/core';
import { format, goal, median, report } from './measure.ts';
import { benchConversation, BENCH_ROOM, type Conversation } from './timeline-fixtures.ts';

/**
 * Reopening a long conversation from its snapshot (`ConversationDoc.restore`: the Yjs state,
 * every author's chain, and the reduced timeline rebuilt from the log), against raw Yjs loading
 * the same document's state with `Y.applyUpdate`. Time is the median of a few reopenings; the
 * memory is what the reopened document holds once garbage is collected (heap, plus the array
 * buffers behind its byte arrays, which V8 counts outside the heap).
 */
export function benchReopen(quick: boolean): void {
  const rounds = 3;
  const c = benchConversation(quick);
  const snapshot = c.doc.snapshot();
  const yjsState = Y.encodeStateAsUpdate(rawReplay(c));
  const options = {
    room: BENCH_ROOM,
    device: c.key,
    controlPlane: c.controlPlane,
    deviceIdOf: deviceIdFromPublicKey,
  };
  if (ConversationDoc.restore(options, snapshot).timeline().length !== c.messages) {
    throw new Error('messages lost on reopening');
  }
  const kith = reopen(rounds, () => ConversationDoc.restore(options, snapshot));
  const raw = reopen(rounds, () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, yjsState);
    return doc;
  });
  report(
    `reopen: ${c.messages.toLocaleString('en')} messages (snapshot ${mb(snapshot.length)} MB, ` +
      `Yjs state ${mb(yjsState.length)} MB; median of ${rounds})`,
    [[median('ConversationDoc.restore', kith.ns), median('Y.applyUpdate', raw.ns)]],
    'ms',
  );
  console.log(
    `memory held once reopened (heap + array buffers): kith ${mb(kith.heap)} + ` +
      `${mb(kith.buffers)} MB, Yjs ${mb(raw.heap)} + ${mb(raw.buffers)} MB` +
      (gcAvailable() ? '' : ' (run node with --expose-gc for exact figures)'),
  );
  goal('reopen time', median('', kith.ns).nsPerOp / 1e6, { below: 500 }, 'ms');
  goal('reopen memory', kith.bytes / 2 ** 20, { below: 100 }, 'MB');
}

/** A raw Y.Doc holding the same state: every signed update's Yjs bytes, replayed. */
function rawReplay(c: Conversation): Y.Doc {
  const doc = new Y.Doc();
  for (const encoded of c.doc.encodedUpdatesSince(new Map())) {
    Y.applyUpdate(doc, decodeSignedUpdate(encoded).update);
  }
  return doc;
}

/**
 * Times `open` `rounds` times, and measures what the document it opens holds. Synchronous on
 * purpose: a value held across an `await` stays reachable from the suspended function until
 * overwritten, which would count one document against the next.
 */
function reopen(rounds: number, open: () => unknown): Reopened {
  const ns: number[] = [];
  let held = { heap: 0, buffers: 0 };
  for (let round = 0; round < rounds; round++) {
    const before = heldMemory();
    const start = process.hrtime.bigint();
    holder.value = open();
    ns.push(Number(process.hrtime.bigint() - start));
    const after = heldMemory();
    held = { heap: after.heap - before.heap, buffers: after.buffers - before.buffers };
    holder.value = undefined;
  }
  return { ns, ...held, bytes: held.heap + held.buffers };
}

/** The document being measured, reachable from here while its memory is read. */
const holder: { value?: unknown } = {};

interface Reopened {
  readonly ns: number[];
  readonly heap: number;
  readonly buffers: number;
  readonly bytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function gcAvailable(): boolean {
  return gc !== undefined;
}

function heldMemory(): { heap: number; buffers: number } {
  // Twice: the first collection may leave array buffers to a later sweep.
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

function mb(bytes: number): string {
  return format(bytes / 2 ** 20);
}
