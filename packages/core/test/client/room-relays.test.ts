import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import {
  decodeRelayList,
  encodeRelayList,
  roomRelays,
  RoomRelayLimits,
} from '../../src/client/room-relays.ts';
import { World } from './world.ts';

const RA = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWA';
const RB = '/ip4/127.0.0.1/tcp/2/p2p/12D3KooWB';

describe('a conversation records the relays its members use', () => {
  it('each member announces its relays at a tick; every member sees them all, its own first', async () => {
    const world = new World(71);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b, c]);
    a.setRelays([RA]);
    b.setRelays([RB, RA]);
    await a.tick();
    await b.tick();
    await c.tick(); // no relays: announces nothing
    await world.settle();
    expect(a.roomRelays(roomId)).toEqual([RA, RB]);
    expect(b.roomRelays(roomId)).toEqual([RB, RA]);
    expect(c.roomRelays(roomId)).toEqual([RA, RB]);

    // Announcing again changes nothing and sends nothing new.
    const before = b.syncStatus(roomId).unsent;
    await b.tick();
    expect(b.syncStatus(roomId).unsent).toBe(before);

    // A removed member's relays are no longer the room's.
    await a.remove(roomId, b.userId);
    await world.settle();
    expect(c.roomRelays(roomId)).toEqual([RA]);
  });

  it('refuses more relays than a device may announce', async () => {
    const world = new World(72);
    const a = await world.add('a');
    const many = Array.from({ length: RoomRelayLimits.maxPerDevice + 1 }, (_, i) => `${RA}${i}`);
    expect(() => {
      a.setRelays(many);
    }).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'at most 8 relays (got 9)',
      }) as Error,
    );
    a.setRelays(many.slice(0, RoomRelayLimits.maxPerDevice)); // the limit itself is fine
  });
});

describe('relay lists from other members are untrusted', () => {
  it('decodes what it encodes and reads anything else as no relays', () => {
    expect(decodeRelayList(encodeRelayList([RA, RB]))).toEqual([RA, RB]);
    expect(decodeRelayList(new Uint8Array([0xff, 0x00]))).toEqual([]);
    expect(decodeRelayList(encodeCbor([2, [RA]]))).toEqual([]);
    expect(decodeRelayList(encodeCbor([1, [RA, 7]]))).toEqual([]);
    const tooMany = Array.from({ length: 9 }, (_, i) => `${RA}${i}`);
    expect(decodeRelayList(encodeCbor([1, tooMany]))).toEqual([]);
  });

  it('keeps a room to at most 16 relays however many members announce', () => {
    const announced = Array.from({ length: 5 }, (_, d) =>
      encodeRelayList(Array.from({ length: 8 }, (_, i) => `${RA}/${d}/${i}`)),
    );
    const relays = roomRelays([RB], announced);
    expect(relays).toHaveLength(RoomRelayLimits.maxPerRoom);
    expect(relays[0]).toBe(RB);
  });
});
