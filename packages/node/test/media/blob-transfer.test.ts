import { afterEach, describe, expect, it } from 'vitest';
import {
  attachmentPart,
  blobIdOf,
  BlobSealer,
  webCryptoAead,
  type MessageId,
  type RoomId,
} from '@kith/core';
import type { DownloadProgress } from '@kith/runtime';
import type { KithNode } from '../../src/index.ts';
import { LoopbackDevices } from '../fixtures/loopback-devices.ts';
import { nextEvent } from '../fixtures/next-event.ts';

const RECORD = 64 * 1024;

const devices = new LoopbackDevices('blob');
const device = (name: string): Promise<KithNode> => devices.open(name);

afterEach(async () => {
  await devices.closeAll();
});

/** `size` bytes of noise, handed out in 100 KiB pieces as a file reader would. */
function noise(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

function* pieces(file: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < file.length; i += 100_000) yield file.subarray(i, i + 100_000);
}

/** A room of `owner` and `others`, everyone joined. */
async function room(owner: KithNode, ...others: KithNode[]): Promise<RoomId> {
  for (const o of others) await owner.addContact(o.contactLink());
  const joined = others.map((o) => nextEvent(o, 'joined'));
  const roomId = await owner.createRoom({ members: others.map((o) => o.userId) });
  await Promise.all(joined);
  return roomId;
}

/** Sends a file from `from` and waits until every other device has the message. */
async function sendFile(
  from: KithNode,
  to: readonly KithNode[],
  roomId: RoomId,
  file: Uint8Array,
): Promise<MessageId> {
  const arrived = to.map((d) =>
    nextEvent(d, 'timeline', () =>
      d.client.timeline(roomId).some((m) => m.content.body.kind === 'multi'),
    ),
  );
  const sealed: number[] = [];
  const { messageId } = await from.blobs.sendFile(roomId, pieces(file), {
    contentType: 'application/octet-stream',
    filename: 'noise.bin',
    recordSize: RECORD,
    onProgress: (bytes) => sealed.push(bytes),
  });
  expect(sealed.at(-1)).toBe(file.length);
  await Promise.all(arrived);
  return messageId;
}

async function readBack(node: KithNode, roomId: RoomId, messageId: MessageId) {
  const opened = await node.blobs.open(roomId, messageId);
  const parts: Uint8Array[] = [];
  for await (const chunk of opened.chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

describe('encrypted files between devices over libp2p', () => {
  it('sends a few-MiB file that the other member downloads intact', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const file = noise(3 * 1024 * 1024 + 123);
    const messageId = await sendFile(alice, [bob], roomId, file);
    const attachment = bob.blobs.attachmentOf(roomId, messageId);
    expect(attachment).toMatchObject({ size: file.length, filename: 'noise.bin' });

    const download = bob.blobs.download(roomId, messageId);
    const seen: DownloadProgress[] = [];
    download.onProgress((p) => seen.push(p));
    await download.done;
    expect(seen.at(-1)).toMatchObject({ records: 49, totalRecords: 49, bytes: file.length });
    expect(Buffer.compare(await readBack(bob, roomId, messageId), file)).toBe(0);
    // Bob now serves it too, and a second download is a no-op.
    expect(await bob.blobs.store.info(attachment.id)).toEqual({ recordCount: 49 });
    await bob.blobs.download(roomId, messageId).done;
  });

  it('resumes a cancelled download after the records it kept', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const file = noise(2 * 1024 * 1024);
    const messageId = await sendFile(alice, [bob], roomId, file);

    const first = bob.blobs.download(roomId, messageId);
    first.onProgress((p) => {
      if (p.records >= 16) first.cancel();
    });
    await expect(first.done).rejects.toMatchObject({ code: 'BLOB_CANCELLED' });
    await expect(bob.blobs.open(roomId, messageId)).rejects.toMatchObject({
      code: 'BLOB_TRUNCATED',
    });

    const second = bob.blobs.download(roomId, messageId);
    const seen: DownloadProgress[] = [];
    second.onProgress((p) => seen.push(p));
    await second.done;
    const resumed = seen.at(-1)?.resumedRecords ?? 0;
    expect(resumed).toBeGreaterThanOrEqual(16);
    expect(resumed).toBeLessThan(32);
    expect(seen.at(-1)).toMatchObject({ records: 32, totalRecords: 32 });
    expect(Buffer.compare(await readBack(bob, roomId, messageId), file)).toBe(0);
  });

  it('refuses a peer serving tampered records and fetches them from another', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const carol = await device('carol');
    const roomId = await room(alice, bob, carol);
    const file = noise(1024 * 1024 + 5);
    const messageId = await sendFile(alice, [bob, carol], roomId, file);
    await bob.blobs.download(roomId, messageId).done;
    // Bob's copy is altered in every record: he serves garbage of the right sizes.
    const { id } = bob.blobs.attachmentOf(roomId, messageId);
    for (let i = 0; i < 17; i++) {
      const record = await bob.blobs.store.getRecord(id, i);
      if (record === undefined) throw new Error(`bob lacks record ${i}`);
      const bad = record.slice();
      bad[7] = (bad[7] ?? 0) ^ 0x40;
      await bob.blobs.store.putRecord(id, i, bad);
    }
    const download = carol.blobs.download(roomId, messageId);
    const refused: string[] = [];
    download.onRefused((r) => refused.push(`${r.peer.toString()} ${r.error.code}`));
    await download.done;
    expect(refused).toEqual([`${bob.libp2p.peerId.toString()} BLOB_RECORD_INVALID`]);
    expect(Buffer.compare(await readBack(carol, roomId, messageId), file)).toBe(0);
  });

  it('refuses a declared size above the limit before fetching anything', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    const messageId = await sendFile(alice, [bob], roomId, noise(5000));
    expect(() => bob.blobs.download(roomId, messageId, { maxBytes: 4999 })).toThrow(
      expect.objectContaining({ code: 'BLOB_TOO_LARGE' }),
    );
  });

  it('refuses a blob whose records do not hash to the name the sender gave, keeping nothing', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const roomId = await room(alice, bob);
    // Alice, bypassing her client, files honest records under a name that is not their hash.
    const keys = {
      key: new Uint8Array(16).fill(1),
      nonce: new Uint8Array(12).fill(2),
      recordSize: RECORD,
    };
    const sealer = await BlobSealer.create(webCryptoAead, keys);
    const staged = alice.blobs.store.stage();
    let index = 0;
    for await (const record of sealer.seal(noise(200_000))) await staged.putRecord(index++, record);
    const forged = blobIdOf(new Uint8Array(32).fill(7));
    await staged.commit(forged, index);
    const part = attachmentPart(
      { ...keys, id: forged, size: sealer.result.size },
      { contentType: 'application/octet-stream' },
    );
    const arrived = nextEvent(bob, 'timeline');
    const messageId = await alice.client.sendAttachment(roomId, part);
    await arrived;
    await expect(bob.blobs.download(roomId, messageId).done).rejects.toMatchObject({
      code: 'BLOB_HASH_MISMATCH',
    });
    expect(await bob.blobs.store.info(forged)).toBeUndefined();
  });
});
