import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { RoomStore } from '../../src/client/room-store.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { KvStore, type KvOperation } from '../../src/storage/store.ts';

const room = new Uint8Array(32).fill(7);
const author = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const hex = (n: number): string => toHex(author(n));
/** A stand-in for a stored update: the store keeps values as given (`withoutBodies` aside). */
const update = (a: number, seq: number): Uint8Array => Uint8Array.of(0x80 + a, seq);

describe('RoomStore.updatesAfter', () => {
  it('reads only what follows each author’s snapshot head, and every update of new authors', async () => {
    const kv = await KvStore.open(new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions));
    const store = new RoomStore(kv, room);
    const ops: KvOperation[] = [];
    for (const [a, count] of [
      [1, 5],
      [2, 3],
      [3, 2],
      [4, 300],
    ] as const) {
      for (let seq = 0; seq < count; seq++) {
        ops.push({ type: 'put', key: keyOf(a, seq), value: update(a, seq) });
      }
    }
    // Another room's updates sort right after this room's: never read.
    ops.push({
      type: 'put',
      key: `room/${'08'.repeat(32)}/update/${hex(1)}/${seq16(9)}`,
      value: update(9, 9),
    });
    await kv.batch(ops);
    // The snapshot covered author 1 up to seq 2, author 2 whole, author 4 up to 255; author 3 is new.
    const heads = new Map([
      [hex(1), { seq: 2 }],
      [hex(2), { seq: 2 }],
      [hex(4), { seq: 255 }],
    ]);
    const got = (await store.updatesAfter(heads)).map((u) => [...u]);
    const want = [
      ...[3, 4].map((s) => [0x81, s]),
      ...[0, 1].map((s) => [0x83, s]),
      ...Array.from({ length: 44 }, (_, i) => [0x84, (256 + i) & 0xff]),
    ];
    expect(got).toEqual(want);
    await kv.close();
  });
});

function seq16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function keyOf(a: number, seq: number): string {
  return `room/${toHex(room)}/update/${hex(a)}/${seq16(seq)}`;
}
