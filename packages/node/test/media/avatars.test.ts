import { afterEach, describe, expect, it } from 'vitest';
import { avatarUri, BlobLimits, BlobSealer, webCryptoAead, type RoomId } from '@kith/core';
import { pngHeader } from '@kith/core/testing';
import { PortableImageCodec, type RgbaImage } from '@kith/runtime';
import type { KithNode } from '../../src/index.ts';
import { LoopbackDevices } from '../fixtures/loopback-devices.ts';
import { nextEvent } from '../fixtures/next-event.ts';

const codec = new PortableImageCodec();

const devices = new LoopbackDevices('avatar');
const device = (name: string): Promise<KithNode> => devices.open(name);

afterEach(async () => {
  await devices.closeAll();
});

async function room(owner: KithNode, other: KithNode): Promise<RoomId> {
  await owner.addContact(other.contactLink());
  const joined = nextEvent(other, 'joined');
  const roomId = await owner.createRoom({ members: [other.userId] });
  await joined;
  return roomId;
}

function picture(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([i % 200, 80, (i >> 4) % 256, 255], i * 4);
  return { width, height, data };
}

/** Alice, bypassing her client, seals `bytes` into her store and names it as an avatar. */
async function forgedAvatar(
  node: KithNode,
  bytes: Uint8Array,
  mediaType: 'image/jpeg' | 'image/png',
) {
  const keys = {
    key: new Uint8Array(16).fill(4),
    nonce: new Uint8Array(12).fill(5),
    recordSize: BlobLimits.defaultRecordSize,
  };
  const sealer = await BlobSealer.create(webCryptoAead, keys);
  const staged = node.blobs.store.stage();
  let index = 0;
  for await (const record of sealer.seal(bytes)) await staged.putRecord(index++, record);
  await staged.commit(sealer.result.id, sealer.result.recordCount);
  return avatarUri({ ...keys, id: sealer.result.id, size: bytes.length, mediaType });
}

describe('avatars as blobs', () => {
  it('a room avatar set from a picture reaches the other member, square and small', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const changed = new Promise<void>((resolve) => {
      const off = bob.client.on('room', () => {
        if (bob.client.room(roomId).avatar === undefined) return;
        off();
        resolve();
      });
    });
    const uri = await alice.media.avatars.setRoomAvatar(roomId, codec.encodePng(picture(640, 480)));
    await changed;
    expect(bob.client.room(roomId).avatar).toBe(uri);
    const got = await bob.media.avatars.fetch(roomId, uri, alice.deviceId);
    expect(got?.mediaType).toBe('image/jpeg');
    const image = codec.decode(got?.bytes ?? new Uint8Array());
    expect([image.width, image.height]).toEqual([256, 256]);
    // A plain URI set by hand is no blob: nothing fetched.
    expect(await bob.media.avatars.fetch(roomId, 'https://example.org/a.png')).toBeUndefined();
  });

  it('a user avatar goes into the profile every room shows', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const uri = await alice.media.avatars.setUserAvatar(codec.encodePng(picture(100, 300)));
    const me = alice.client.members(roomId).find((m) => m.userId === alice.userId);
    expect(me?.avatar).toBe(uri);
  });

  it('refuses an avatar that is not the picture it claims, or declares a huge one', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const mislabelled = await forgedAvatar(alice, codec.encodePng(picture(8, 8)), 'image/jpeg');
    await expect(
      bob.media.avatars.fetch(roomId, mislabelled, alice.deviceId),
    ).rejects.toMatchObject({
      code: 'MEDIA_TYPE_MISMATCH',
    });
    const bomb = await forgedAvatar(alice, pngHeader(50_000, 50_000, 2048), 'image/png');
    await expect(bob.media.avatars.fetch(roomId, bomb, alice.deviceId)).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
    });
  });
});
