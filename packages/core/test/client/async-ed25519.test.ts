import { afterEach, describe, expect, it } from 'vitest';
import { useEd25519 } from '../../src/crypto/ed25519.ts';
import { FaultyDb } from './faulty-db.ts';
import { texts, World } from './world.ts';
import { countingEd25519 } from '../crypto/counting-ed25519.ts';

describe('a device whose Ed25519 verifies asynchronously (a browser tab)', () => {
  afterEach(() => {
    useEd25519(undefined);
  });

  it('verifies received and reloaded updates in batches, and shows the same conversation', async () => {
    const impl = countingEd25519();
    useEd25519(impl);
    const world = new World(47);
    const db = new FaultyDb();
    const a = await world.add('a');
    const b = await world.add('b', { db });
    const roomId = await a.createRoom({ name: 'async' });
    await world.invite(a, roomId, [b]);
    const sent = ['m0', 'm1', 'm2', 'm3', 'm4'];
    for (const text of sent) await a.send(roomId, text);
    await world.settle();
    expect(texts(b, roomId)).toEqual(sent);
    const received = impl.async;
    expect(received).toBeGreaterThanOrEqual(sent.length);
    // Killed before it could store a snapshot: it reopens from the stored updates.
    db.crashAfter(0);
    const b2 = await world.restart(b, db.inner);
    expect(texts(b2, roomId)).toEqual(sent);
    expect(impl.async - received).toBeGreaterThanOrEqual(sent.length);
  });
});
