import * as Y from 'yjs';
import {
  ConversationDoc,
  decodeSignedUpdate,
  deviceIdFromPublicKey,
  type BodyChanges,
} from '@kith/core';
import { format, goal, median, report } from './measure.ts';
import { benchConversation, BENCH_ROOM, type Conversation } from './timeline-fixtures.ts';

/**
 * Reopening a long conversation from its snapshot (`ConversationDoc.restore`: the Yjs state,
 * every author's chain, and the reduced timeline rebuilt from the log), against raw Yjs loading
 * the same document's state with `Y.applyUpdate`. Two ways in: the snapshot with its bodies, and
 * as a device reopens a room (a snapshot without bodies, the bodies handed over as its body
 * table holds them, each with its owner). Time is the median of a few reopenings, wall clock and
 * the process's CPU time (which a busy machine inflates less); the memory is what the reopened
 * document holds once garbage is collected (heap, plus the array buffers behind its byte
 * arrays, which V8 counts outside the heap). Goals (issue 20) in full mode only.
 */
export function benchReopen(quick: boolean): void {
  const rounds = 3;
  const c = benchConversation(quick);
  const snapshot = c.doc.snapshot();
  const bare = c.doc.snapshot({ bodies: false });
  const yjsState = Y.encodeStateAsUpdate(rawReplay(c));
  const options = {
    room: BENCH_ROOM,
    device: c.key,
    controlPlane: c.controlPlane,
    deviceIdOf: deviceIdFromPublicKey,
  };
  // What a device stored in its body table (every body since the conversation was built, with
  // its owner) and reads back on reopen (RoomStore.storedBodies): copies, as a store returns.
  tableRows ??= c.doc.takeStoreChanges().stored;
  const stored = {
    bodies: tableRows.map(([id, body, owner]) => [id.slice(), body.slice(), owner] as const),
    expired: [],
  };
  const asDevice = () => ConversationDoc.restore({ ...options, stored }, bare);
  for (const open of [() => ConversationDoc.restore(options, snapshot), asDevice]) {
    if (open().timeline().length !== c.messages) throw new Error('messages lost on reopening');
  }
  const kith = reopen(rounds, () => ConversationDoc.restore(options, snapshot));
  const device = reopen(rounds, asDevice);
  const raw = reopen(rounds, () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, yjsState);
    return doc;
  });
  report(
    `reopen: ${c.messages.toLocaleString('en')} messages (snapshot ${mb(snapshot.length)} MB, ` +
      `without bodies ${mb(bare.length)} MB, Yjs state ${mb(yjsState.length)} MB; median of ${rounds})`,
    [
      [median('ConversationDoc.restore', kith.ns), median('Y.applyUpdate', raw.ns)],
      [median('same, bodies from the table', device.ns), median('Y.applyUpdate', raw.ns)],
      [median('restore, CPU time', kith.cpuNs), median('Y.applyUpdate, CPU', raw.cpuNs)],
      [
        median('same, bodies from table, CPU', device.cpuNs),
        median('Y.applyUpdate, CPU', raw.cpuNs),
      ],
    ],
    'ms',
  );
  console.log(
    `memory held once reopened (heap + array buffers): kith ${mb(kith.heap)} + ` +
      `${mb(kith.buffers)} MB (bodies from the table: ${mb(device.heap)} + ${mb(device.buffers)}), ` +
      `Yjs ${mb(raw.heap)} + ${mb(raw.buffers)} MB` +
      (gcAvailable() ? '' : ' (run node with --expose-gc for exact figures)'),
  );
  if (quick) return;
  goal('reopen time', median('', kith.ns).nsPerOp / 1e6, { below: 300 }, 'ms');
  goal('reopen memory', kith.bytes / 2 ** 20, { below: 60 }, 'MB');
}

/** The bench conversation's bodies as its device journalled them (taken once). */
let tableRows: BodyChanges['stored'] | undefined;

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
  const cpuNs: number[] = [];
  let held = { heap: 0, buffers: 0 };
  for (let round = 0; round < rounds; round++) {
    const before = heldMemory();
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    holder.value = open();
    const used = process.cpuUsage(cpu);
    ns.push(Number(process.hrtime.bigint() - start));
    cpuNs.push((used.user + used.system) * 1000);
    const after = heldMemory();
    held = { heap: after.heap - before.heap, buffers: after.buffers - before.buffers };
    holder.value = undefined;
  }
  return { ns, cpuNs, ...held, bytes: held.heap + held.buffers };
}

/** The document being measured, reachable from here while its memory is read. */
const holder: { value?: unknown } = {};

interface Reopened {
  readonly ns: number[];
  readonly cpuNs: number[];
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
