import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { KithNode } from '@kith/node';
import type { RoomId } from '@kith/core';
import { format, goal, report } from './measure.ts';
import { profileWindow } from './cpu-profile.ts';
import {
  addedTexts,
  indexedPayload,
  onAny,
  openDevice,
  roomOf,
  TempDirs,
  watchCiphertextSizes,
  waitUntil,
} from './node-fixtures.ts';

const SETUP_MS = 60_000;

/**
 * ts-mls refuses a message more generations ahead of the receiver's ratchet than the client
 * config's `maximumForwardRatchetSteps` (5,000 in `kithClientConfig`). A sync answer is sealed
 * at the sender's current generation, so a device that missed more messages than that from one
 * sender within one epoch cannot open it: the reopened device says so in a `rejected` event.
 */
const TOO_FAR = 'too far in the future';

/**
 * A device that was offline while N messages were written catches up: two devices in a room
 * (each other's contacts), one is closed, the other sends N messages (not timed), then the
 * closed one is reopened from the same data directory, and the clock runs from `KithNode.open`
 * until its timeline holds all N and `syncStatus` says complete. Right after opening it runs one
 * `tick` (member lookup, then sync): without it the first dial waits for the node's timer
 * (every 2 s by default). The baseline is raw LevelDB (classic-level) writing N entries of a
 * message's ciphertext size in one batch, closing, reopening and reading them all back.
 *
 * Full mode runs 10,000 (the goal) and also 4,000, under the forward-ratchet limit above.
 */
export async function benchCatchUp(quick: boolean): Promise<void> {
  for (const n of quick ? [1000] : [4000, 10_000]) await catchUpOn(n);
}

async function catchUpOn(n: number): Promise<void> {
  const dirs = new TempDirs();
  const nodes: KithNode[] = [];
  try {
    const dirB = await dirs.make('catch-up-b');
    const a = await openDevice(await dirs.make('catch-up-a'), 'sender');
    nodes.push(a);
    const b0 = await openDevice(dirB, 'offline');
    nodes.push(b0);
    const roomId = await roomOf([a, b0], SETUP_MS);
    // The reopened device finds the sender at the address in its link (its peer store is empty).
    await b0.addContact(a.contactLink('sender'));
    const sizes = watchCiphertextSizes(b0, roomId);
    const before = await exchange(a, b0, roomId, 10);
    await b0.close();

    const produceStart = performance.now();
    for (let i = 0; i < n; i++) {
      await a.client.send(roomId, `missed ${i}: the quick brown fox jumps over the lazy dog`);
    }
    const produceMs = performance.now() - produceStart;

    const stopProfile = await profileWindow(`catch-up-${n}`);
    const start = performance.now();
    const b = await openDevice(dirB, 'offline');
    nodes.push(b);
    const opened = performance.now();
    let connected = Number.NaN;
    b.libp2p.addEventListener('peer:identify', () => {
      if (Number.isNaN(connected)) connected = performance.now();
    });
    let got = 0;
    b.client.on('timeline', (e) => {
      for (const text of addedTexts(e.changes)) if (text.startsWith('missed ')) got++;
    });
    const rejected: string[] = [];
    b.client.on('rejected', (e) => rejected.push(e.reason));
    void b.tick();
    const outcome = await waitUntil(
      `the reopened device to catch up on ${n} messages`,
      60_000 + n * 10,
      () => {
        if (rejected.some((r) => r.includes(TOO_FAR))) return true;
        return (
          got === n &&
          b.client.syncStatus(roomId).complete &&
          b.client.timeline(roomId).length === before + n
        );
      },
      onAny([[b.libp2p, ['peer:identify']]], [b]),
    ).then(() => (got === n ? 'complete' : 'stuck'));
    const kithMs = performance.now() - start;
    await stopProfile();
    const size = sizes.median();
    const rawMs = await rawLevel(await dirs.make('catch-up-level'), n, size);
    const label = `catch-up on ${n.toLocaleString('en')} messages`;
    const title = `catch-up: ${n.toLocaleString('en')} messages missed while offline, ${size}-byte ciphertext`;
    const details =
      `open ${format(opened - start)} ms, first connection at ${format(connected - start)} ms; ` +
      `producing the messages took ${format(produceMs / 1000)} s ` +
      `(${format((n * 1000) / produceMs)} messages/s, not timed)` +
      (rejected.length > 0 ? `; rejected: ${summarize(rejected)}` : '');
    if (outcome === 'complete') {
      report(
        title,
        [
          [
            { name: 'open → timeline complete', nsPerOp: kithMs * 1e6 },
            { name: 'classic-level write + read', nsPerOp: rawMs * 1e6 },
          ],
        ],
        'ms',
      );
      console.log(`of which: ${details}`);
      goal(label, kithMs / 1000, { below: 3 }, 's');
    } else {
      console.log(`\n${title}\nclassic-level write + read ${format(rawMs)} ms; ${details}`);
      console.log(
        `NOT COMPLETE: ${format(kithMs)} ms after opening, the device had ${got} of ${n} and ` +
          `cannot open the rest: "${rejected.find((r) => r.includes(TOO_FAR)) ?? ''}" (the ` +
          `sender's ratchet is more than maximumForwardRatchetSteps ahead, see kithClientConfig)`,
      );
      goal(label, Number.POSITIVE_INFINITY, { below: 3 }, 's');
    }
  } finally {
    await Promise.allSettled(nodes.map((node) => node.close()));
    await dirs.removeAll();
  }
}

/** Each device sends `count` messages; resolves once both have all of them. Returns the total. */
async function exchange(a: KithNode, b: KithNode, roomId: RoomId, count: number): Promise<number> {
  const total = 2 * count;
  await Promise.all(
    [a, b].map(async (node, k) => {
      for (let i = 0; i < count; i++) await node.client.send(roomId, `before, ${k}: ${i}`);
    }),
  );
  await waitUntil(
    `both devices to have the first ${total} messages`,
    SETUP_MS,
    () => a.client.timeline(roomId).length === total && b.client.timeline(roomId).length === total,
    onAny([], [a, b]),
  );
  return total;
}

/** Raw LevelDB: write `n` entries of `size` bytes in one batch, reopen, read them all back. */
async function rawLevel(dir: string, n: number, size: number): Promise<number> {
  const location = join(dir, 'db');
  const start = performance.now();
  const db = new ClassicLevel<string, Uint8Array>(location, { valueEncoding: 'view' });
  await db.open();
  await db.batch(
    Array.from({ length: n }, (_, i) => ({
      type: 'put' as const,
      key: `m/${String(i).padStart(8, '0')}`,
      value: indexedPayload(size, i),
    })),
  );
  await db.close();
  const again = new ClassicLevel<string, Uint8Array>(location, { valueEncoding: 'view' });
  await again.open();
  let read = 0;
  for await (const value of again.values()) read += value.length > 0 ? 1 : 0;
  await again.close();
  if (read !== n) throw new Error(`classic-level read ${read} entries of ${n}`);
  return performance.now() - start;
}

/** Distinct rejection reasons with their counts (the sender's device ID cut out). */
function summarize(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) {
    const key = r.replace(/^from [0-9a-f]+: /, '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([r, c]) => `${c} × "${r}"`).join(', ');
}
