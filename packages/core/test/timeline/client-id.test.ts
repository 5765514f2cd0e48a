import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { yjsClientId } from '../../src/timeline/client-id.ts';
import { keyOf, ROOM } from './helpers.ts';

describe('yjsClientId', () => {
  const pub = keyOf('alice').publicKey;

  it('is a deterministic 53-bit safe integer bound to key, room and generation', () => {
    const id = yjsClientId(pub, ROOM, 0);
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(id).toBeGreaterThanOrEqual(0);
    expect(yjsClientId(pub, ROOM, 0)).toBe(id);
    expect(yjsClientId(pub, ROOM, 1)).not.toBe(id);
    expect(yjsClientId(keyOf('bob').publicKey, ROOM, 0)).not.toBe(id);
    expect(yjsClientId(pub, new Uint8Array(32), 0)).not.toBe(id);
  });

  it('uses the full 53 bits (some IDs are above 2^32)', () => {
    const ids = Array.from({ length: 64 }, (_, g) => yjsClientId(pub, ROOM, g));
    expect(ids.some((id) => id > 2 ** 32)).toBe(true);
    expect(ids.every((id) => id <= Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('refuses generations outside 0..2^32-1', () => {
    for (const generation of [-1, 2 ** 32, 0.5]) {
      expect(() => yjsClientId(pub, ROOM, generation)).toThrow(
        expect.objectContaining({ name: 'TimelineError', code: 'TIMELINE_MALFORMED' }),
      );
    }
    expect(yjsClientId(pub, ROOM, 2 ** 32 - 1)).toBeGreaterThan(0);
  });

  it('is accepted by Yjs: encode, decode and apply on another doc keep the client ID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (generation) => {
        const client = yjsClientId(pub, ROOM, generation);
        const a = new Y.Doc();
        a.clientID = client;
        a.getArray<Uint8Array>('log').insert(0, [Uint8Array.of(1, 2, 3)]);
        a.getMap<Uint8Array>('meta').set('read', Uint8Array.of(4));
        a.getMap<Uint8Array>('meta').set('read', Uint8Array.of(5));
        const update = Y.encodeStateAsUpdate(a);
        const decoded = Y.decodeUpdate(update);
        expect(decoded.structs.every((s) => s.id.client === client)).toBe(true);
        expect([...decoded.ds.clients.keys()]).toEqual([client]);
        const b = new Y.Doc();
        Y.applyUpdate(b, update);
        expect(b.getArray<Uint8Array>('log').toArray()).toEqual([Uint8Array.of(1, 2, 3)]);
        expect(b.getMap<Uint8Array>('meta').get('read')).toEqual(Uint8Array.of(5));
        expect(Y.decodeStateVector(Y.encodeStateVector(b)).get(client)).toBe(3);
        // And the v2 format, which encodes client IDs differently.
        const c = new Y.Doc();
        Y.applyUpdateV2(c, Y.encodeStateAsUpdateV2(a));
        expect(c.getArray<Uint8Array>('log').toArray()).toEqual([Uint8Array.of(1, 2, 3)]);
        expect([...c.store.clients.keys()]).toEqual([client]);
      }),
      { numRuns: 30 },
    );
  });
});
