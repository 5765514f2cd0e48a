import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KvStore, type MessageId, type RoomId } from '@kith/core';
import {
  KithNode,
  type BlobUpload,
  type RelayUploadOutcome,
  type UploadProgress,
} from '@kith/node';
import { nextEvent } from '../../../../packages/node/test/fixtures/next-event.ts';
import { openDatabase } from '../../src/data/database.ts';
import type { RelayProcess } from '../process/relay-process.ts';
import { freePort, startRelayAt } from '../store-and-forward/harness.ts';

const RECORD = 64 * 1024;
const open: KithNode[] = [];
const dirs: string[] = [];

async function device(name: string, relay: string): Promise<KithNode> {
  const dir = await mkdtemp(join(tmpdir(), `kith-relayblob-${name}-`));
  dirs.push(dir);
  const node = await KithNode.open({
    dataDir: dir,
    deviceName: name,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    relays: [relay],
  });
  open.push(node);
  return node;
}

function noise(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

async function room(owner: KithNode, other: KithNode): Promise<RoomId> {
  await owner.addContact(other.contactLink());
  const joined = nextEvent(other, 'joined');
  const roomId = await owner.createRoom({ members: [other.userId] });
  await joined;
  return roomId;
}

/** Sends a file from `from` and waits until `to` has the message; the upload goes on. */
async function sendFile(
  from: KithNode,
  to: KithNode,
  roomId: RoomId,
  file: Uint8Array,
  options: { recordSize?: number; onUpload?: (upload: BlobUpload) => void } = {},
) {
  const arrived = nextEvent(to, 'timeline', () =>
    to.client.timeline(roomId).some((m) => m.content.body.kind === 'multi'),
  );
  const sent = await from.blobs.sendFile(roomId, [file], {
    contentType: 'application/octet-stream',
    filename: 'noise.bin',
    recordSize: options.recordSize ?? RECORD,
  });
  // Before waiting for the message to arrive: the upload runs meanwhile, and on a busy machine
  // it can be over by then.
  options.onUpload?.(sent.upload);
  await arrived;
  return sent;
}

async function readBack(node: KithNode, roomId: RoomId, messageId: MessageId): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of (await node.blobs.open(roomId, messageId)).chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

describe('files kept by a relay’s blob store for members who are offline', () => {
  let relay: RelayProcess;
  let address = '';
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    ({ relay, address } = await startRelayAt(port, { args: ['--blob-max-file', '32MiB'] }));
  }, 60_000);
  afterEach(async () => {
    for (const n of open.splice(0)) await n.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await relay.remove();
  });

  it('the sender uploads, goes offline, and the other member downloads from the relay', async () => {
    const alice = await device('alice', address);
    const bob = await device('bob', address);
    const roomId = await room(alice, bob);
    // 16 MiB in the default 256 KiB records: more than libp2p lets a reader fall behind by
    // (4 MiB), which an upload that did not wait for the relay's acknowledgements overran.
    const file = noise(16 * 1024 * 1024 + 7);
    const seen: UploadProgress[] = [];
    const { messageId, upload } = await sendFile(alice, bob, roomId, file, {
      recordSize: 256 * 1024,
      onUpload: (started) => started.onProgress((p) => seen.push(p)),
    });
    const outcomes = await upload.done;
    expect(outcomes).toEqual([
      expect.objectContaining({
        relay: relay.peerId,
        status: 'stored',
        held: 0,
        limits: expect.objectContaining({ maxBlobBytes: 32 * 1024 * 1024 }) as unknown,
      }),
    ]);
    expect(seen.at(-1)).toEqual({ relay: relay.peerId, records: 65, totalRecords: 65 });
    await alice.close();

    const download = bob.blobs.download(roomId, messageId);
    const refused: string[] = [];
    download.onRefused((r) => refused.push(r.error.code));
    await download.done;
    expect(refused).toEqual([]);
    expect(Buffer.compare(await readBack(bob, roomId, messageId), file)).toBe(0);
    expect(await relay.metric('kith_relay_blobs_total{result="stored"}')).toBe(1);
    expect(await relay.metric('kith_relay_blob_records_out_total')).toBe(65);
    expect(await relay.metric('kith_relay_blob_bytes_in_total')).toBe(file.length + 65 * 16);
    expect(await relay.metric('kith_relay_blob_stored_bytes')).toBe(file.length + 65 * 16);

    // The same blob again from the same room: stored once, nothing sent.
    const { id, size, recordSize } = bob.blobs.attachmentOf(roomId, messageId);
    const again: RelayUploadOutcome[] = await bob.blobs.relays.upload(roomId, {
      id,
      size,
      recordSize,
    }).done;
    expect(again).toEqual([expect.objectContaining({ status: 'stored', held: 65 })]);
    expect(await relay.metric('kith_relay_blobs_total{result="deduplicated"}')).toBe(1);
    expect(await relay.metric('kith_relay_blob_stored_bytes')).toBe(file.length + 65 * 16);
  });

  it('a cancelled upload rejects; a later one completes it, and a member deletes it', async () => {
    const alice = await device('alice', address);
    const bob = await device('bob', address);
    const roomId = await room(alice, bob);
    const { messageId, blobId, upload } = await sendFile(
      alice,
      bob,
      roomId,
      noise(2 * 1024 * 1024),
      {
        onUpload: (started) =>
          started.onProgress((p) => {
            if (p.records >= 8) started.cancel();
          }),
      },
    );
    await expect(upload.done).rejects.toMatchObject({ code: 'BLOB_CANCELLED' });
    const blob = { id: blobId, size: 2 * 1024 * 1024, recordSize: RECORD };
    const [outcome] = await alice.blobs.relays.upload(roomId, blob).done;
    expect(outcome).toMatchObject({ status: 'stored' });
    await alice.close();
    await bob.blobs.download(roomId, messageId).done;

    expect(await bob.blobs.relays.delete(roomId, blobId)).toEqual([relay.peerId]);
    // Nothing is left of it to drop, and nothing to fetch.
    expect(await bob.blobs.relays.delete(roomId, blobId)).toEqual([]);
  });

  it('a downloader refuses a blob the relay’s storage altered, and keeps none of it', async () => {
    const alice = await device('alice', address);
    const bob = await device('bob', address);
    const roomId = await room(alice, bob);
    const { messageId, upload } = await sendFile(alice, bob, roomId, noise(300 * 1024));
    expect(await upload.done).toEqual([expect.objectContaining({ status: 'stored' })]);
    await alice.close();
    // The operator (or a disk fault) flips a bit in every stored record.
    await relay.stop();
    const db = await openDatabase(relay.dataDir);
    const kv = await KvStore.open(db.sublevel('blob', KvStore.databaseOptions));
    for await (const [key, value] of kv.entries({ prefix: 'r/' })) {
      const bad = value.slice();
      bad[5] = (bad[5] ?? 0) ^ 0x10;
      await kv.put(key, bad);
    }
    await db.close();
    ({ relay } = await startRelayAt(port, { dataDir: relay.dataDir }));

    // One round: the sender is gone, so retrying it only costs time.
    const download = bob.blobs.download(roomId, messageId, { rounds: 1 });
    const refused: string[] = [];
    download.onRefused((r) => refused.push(`${r.peer.toString()} ${r.error.code}`));
    await expect(download.done).rejects.toMatchObject({ code: 'BLOB_UNAVAILABLE' });
    expect(refused).toEqual([`${relay.peerId} BLOB_RECORD_INVALID`]);
    const { id } = bob.blobs.attachmentOf(roomId, messageId);
    expect((await bob.blobs.store.info(id))?.recordCount).toBeUndefined();
  });
});
