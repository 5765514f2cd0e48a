import { afterEach, describe, expect, it } from 'vitest';
import {
  Disposition,
  findAttachment,
  isBlurHash,
  PreviewLimits,
  type BlobId,
  type MessageId,
  type RoomId,
} from '@kith/core';
import { oggOpus, pngHeader } from '@kith/core/testing';
import { PortableImageCodec, type BlobRetention, type RgbaImage } from '@kith/runtime';
import type { KithNode } from '../../src/index.ts';
import { LoopbackDevices } from '../fixtures/loopback-devices.ts';
import { nextEvent } from '../fixtures/next-event.ts';

const codec = new PortableImageCodec();

const devices = new LoopbackDevices('media');

function device(name: string, retention?: BlobRetention): Promise<KithNode> {
  return devices.open(name, retention === undefined ? {} : { blobRetention: retention });
}

afterEach(async () => {
  await devices.closeAll();
});

async function room(owner: KithNode, ...others: KithNode[]): Promise<RoomId> {
  for (const o of others) await owner.addContact(o.contactLink());
  const joined = others.map((o) => nextEvent(o, 'joined'));
  const roomId = await owner.createRoom({ members: others.map((o) => o.userId) });
  await Promise.all(joined);
  return roomId;
}

/** A photo-like gradient with noise (so JPEG cannot shrink it to nothing). */
function picture(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, (x * y) % 256, 255], i * 4);
  }
  return { width, height, data };
}

function arrival(d: KithNode, roomId: RoomId, count: number): Promise<unknown> {
  return nextEvent(d, 'timeline', () => d.client.timeline(roomId).length >= count);
}

/** Blob IDs a recorder was asked to drop. */
/**
 * Records what a device asks the relays to drop. The janitor asks only after it deleted the blob
 * from the device, so `whenDropped` is the moment to look at the store.
 */
function recorder(): BlobRetention & {
  dropped: BlobId[];
  whenDropped: (id: BlobId) => Promise<void>;
} {
  const dropped: BlobId[] = [];
  const waiting: { id: BlobId; resolve: () => void }[] = [];
  return {
    dropped,
    drop: (_roomId, id) => {
      dropped.push(id);
      for (const w of waiting.filter((x) => x.id === id)) w.resolve();
      return Promise.resolve();
    },
    whenDropped: (id) =>
      dropped.includes(id)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ id, resolve })),
  };
}

describe('media messages between two devices', () => {
  it('carry a thumbnail and BlurHash that the receiver shows before downloading', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const png = codec.encodePng(picture(1200, 800));
    const arrived = arrival(bob, roomId, 1);
    const sent = await alice.media.send(roomId, png, { filename: 'view.png', caption: 'the view' });
    await arrived;
    expect(sent.contentType).toBe('image/png');
    const got = bob.media.previewOf(roomId, sent.messageId);
    if (!got.ok) throw got.error;
    const preview = got.preview;
    expect(preview).toMatchObject({ width: 1200, height: 800 });
    expect(isBlurHash(preview?.placeholder ?? '')).toBe(true);
    const thumb = preview?.thumbnail;
    expect(thumb).toMatchObject({ mediaType: 'image/jpeg', width: 160, height: 107 });
    expect(thumb?.bytes.length).toBeLessThanOrEqual(PreviewLimits.maxThumbnailBytes);
    // The receiver decodes the thumbnail safely; the file itself is not fetched yet.
    expect(codec.decode(thumb?.bytes ?? new Uint8Array()).width).toBe(160);
    expect(await bob.blobs.store.info(sent.blobId)).toBeUndefined();
    await bob.blobs.download(roomId, sent.messageId).done;
    expect((await bob.blobs.open(roomId, sent.messageId)).mediaType).toBe('image/png');
  });

  it('send a voice message with its duration and waveform, marked to play in place', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const ogg = oggOpus(Array.from({ length: 250 }, (_, i) => (i % 50 < 25 ? 3 : 120)));
    const arrived = arrival(bob, roomId, 1);
    const sent = await alice.media.send(roomId, ogg, { voice: true });
    await arrived;
    const got = bob.media.previewOf(roomId, sent.messageId);
    expect(got).toMatchObject({ ok: true, preview: { voice: true, durationMs: 5000 } });
    const message = bob.client.timeline(roomId)[0];
    if (message === undefined) throw new Error('no message');
    expect(JSON.stringify(message.content.body)).toContain(`"disposition":${Disposition.inline}`);
    expect(findAttachment(message.content)?.contentType).toBe('audio/ogg; codecs=opus');
    // Not Ogg Opus: refused before anything is sealed.
    await expect(alice.media.send(roomId, pngHeader(4, 4), { voice: true })).rejects.toMatchObject({
      code: 'MEDIA_TYPE_MISMATCH',
    });
  });

  it('send a picture that does not decode as a plain file, saying why', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    // A PNG header declaring 30000 × 30000 pixels: a bomb if decoded.
    const sent = await alice.media.send(roomId, pngHeader(30_000, 30_000, 4096));
    expect(sent.preview).toBeUndefined();
    expect(sent.previewError?.code).toBe('IMAGE_TOO_LARGE');
    const broken = pngHeader(100, 100, 4096);
    const second = await alice.media.send(roomId, broken);
    expect(second.previewError?.code).toBe('IMAGE_INVALID');
  });

  it('refuse a too-large file before reading it, and stop a cancelled send keeping nothing', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    let read = false;
    const huge = {
      size: 3 * 1024 ** 3,
      head: new Uint8Array(16),
      source: (function* () {
        read = true;
        yield new Uint8Array(16);
      })(),
    };
    await expect(alice.media.send(roomId, huge)).rejects.toMatchObject({ code: 'BLOB_TOO_LARGE' });
    expect(read).toBe(false);

    const abort = new AbortController();
    const file = new Uint8Array(1024 * 1024).fill(5);
    await expect(
      alice.media.send(roomId, file, {
        recordSize: 64 * 1024,
        signal: abort.signal,
        onProgress: (bytes) => {
          if (bytes >= 256 * 1024) abort.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'BLOB_CANCELLED' });
    expect(alice.client.timeline(roomId)).toHaveLength(0);
  });
});

describe('retraction deletes blobs', () => {
  it('from every device, and asks the relays to drop them', async () => {
    const aliceDrops = recorder();
    const bobDrops = recorder();
    const alice = await device('alice', aliceDrops);
    const bob = await device('bob', bobDrops);
    const roomId = await room(alice, bob);
    const arrived = arrival(bob, roomId, 1);
    const sent = await alice.media.send(roomId, new Uint8Array(5000).fill(1), {
      filename: 'a.bin',
    });
    await arrived;
    await bob.blobs.download(roomId, sent.messageId).done;
    expect(await bob.blobs.store.info(sent.blobId)).toBeDefined();
    const retracted = nextEvent(bob, 'timeline', () =>
      bob.client.timeline(roomId).some((m) => m.retracted),
    );
    await alice.client.retract(roomId, sent.messageId);
    await retracted;
    await Promise.all([aliceDrops.whenDropped(sent.blobId), bobDrops.whenDropped(sent.blobId)]);
    expect(await bob.blobs.store.info(sent.blobId)).toBeUndefined();
    expect(await alice.blobs.store.info(sent.blobId)).toBeUndefined();
    expect(aliceDrops.dropped).toEqual([sent.blobId]);
    expect(bobDrops.dropped).toEqual([sent.blobId]);
  });

  it('not of a blob another message still names (a member retracting a copy of it)', async () => {
    const aliceDrops = recorder();
    const alice = await device('alice', aliceDrops);
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    let arrived = arrival(bob, roomId, 1);
    const sent = await alice.media.send(roomId, new Uint8Array(5000).fill(2));
    await arrived;
    // Bob, bypassing his client's media layer, posts Alice's file part as his own and retracts it.
    const part = bob.client.timeline(roomId)[0]?.content.body;
    if (part === undefined) throw new Error('no message');
    const external = (part.kind === 'multi' ? part.parts[0] : part) as never;
    const copied = nextEvent(alice, 'timeline', () => alice.client.timeline(roomId).length === 2);
    const copy: MessageId = await bob.client.sendAttachment(roomId, external);
    await copied;
    const gone = nextEvent(alice, 'timeline', () =>
      alice.client.timeline(roomId).some((m) => m.retracted),
    );
    await bob.client.retract(roomId, copy);
    await gone;
    // A later message settles what the retraction did.
    arrived = arrival(alice, roomId, 3);
    await bob.client.send(roomId, 'later');
    await arrived;
    expect(await alice.blobs.store.info(sent.blobId)).toMatchObject({ recordCount: 1 });
    expect(aliceDrops.dropped).toEqual([]);
    await alice.client.retract(roomId, sent.messageId);
    await aliceDrops.whenDropped(sent.blobId);
    expect(await alice.blobs.store.info(sent.blobId)).toBeUndefined();
  });
});
