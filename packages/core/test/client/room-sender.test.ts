import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import type { CurrentGroup } from '../../src/client/current-group.ts';
import type { ControlHistory } from '../../src/client/control-history.ts';
import { Embargo } from '../../src/client/embargo.ts';
import { DeliveryLog } from '../../src/client/message-status.ts';
import { Outbox } from '../../src/client/outbox.ts';
import { RoomSender } from '../../src/client/room-sender.ts';
import { RoomStore } from '../../src/client/room-store.ts';
import type { RoomWire } from '../../src/client/room-wire.ts';
import type { SessionBatch } from '../../src/client/session-batch.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { KvStore } from '../../src/storage/store.ts';
import type { ConversationDoc } from '../../src/timeline/conversation-doc.ts';

/**
 * A sender over stand-ins for what it does not own (the group encrypts by copying, the wire
 * records what it publishes): what it decides to send, and when, is its own.
 */
async function setup() {
  const kv = await KvStore.open(new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions));
  const store = new RoomStore(kv, new Uint8Array(32));
  const outbox = new Outbox(store);
  const embargo = new Embargo();
  const published: Uint8Array[] = [];
  const own = [new Uint8Array([1]), new Uint8Array([2])];
  let rotations = 0;
  const sender = new RoomSender({
    current: {
      group: { active: true, members: () => [] },
      encrypt: (plaintext: Uint8Array) => Promise.resolve(plaintext),
    } as unknown as CurrentGroup,
    doc: { encodedOwnUpdates: (first: number) => own.slice(first) } as unknown as ConversationDoc,
    history: { mayShare: () => true, certificatesOf: () => [] } as unknown as ControlHistory,
    store,
    batch: { queue: () => undefined, flush: () => Promise.resolve() } as unknown as SessionBatch,
    outbox,
    embargo,
    delivery: new DeliveryLog(),
    wire: {
      publish: (message: Uint8Array) => {
        published.push(message);
        return Promise.resolve(true);
      },
    } as unknown as RoomWire,
    rotation: {
      rotateIfWorn: () => {
        rotations++;
        return Promise.resolve();
      },
    },
    clock: { now: () => 0 },
    statusMoved: () => undefined,
  });
  return { sender, outbox, embargo, published, rotations: () => rotations };
}

describe('the room sender', () => {
  it('resends nothing while an embargo holds a device back, and all once it is lifted', async () => {
    const { sender, outbox, embargo, published } = await setup();
    outbox.add(0);
    outbox.add(1);
    // A device removed on a branch this device abandoned is a member on the winner: what this
    // device wrote after that removal must not be encrypted to it.
    const removed = toHex(new Uint8Array(32).fill(7));
    embargo.afterSwitch([removed], [], [removed]);
    await sender.resendUnconfirmed();
    expect(published).toEqual([]);
    // The removal was committed again: the device is gone, the embargo lifts.
    embargo.keepOnly([]);
    await sender.resendUnconfirmed();
    expect(published).toHaveLength(1);
    // Nothing is due again before the backoff's first wait.
    await sender.resendUnconfirmed();
    expect(published).toHaveLength(1);
  });

  it('rotates before every message it encrypts, and confirmed updates leave the outbox', async () => {
    const { sender, outbox, published, rotations } = await setup();
    outbox.add(0);
    await sender.resendUnconfirmed();
    expect(published).toHaveLength(1);
    expect(rotations()).toBe(1);
    expect(await sender.seal([new Uint8Array([3])])).toHaveLength(1);
    expect(rotations()).toBe(2);
    sender.acknowledge(0);
    expect(outbox.size).toBe(0);
  });
});
