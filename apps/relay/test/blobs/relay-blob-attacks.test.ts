import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxKeyOf, toHex, type MailboxKey, type RoomId } from '@kith/core';
import {
  createDeviceLibp2p,
  fetchRecords,
  KithNode,
  PeerGuard,
  signBlobDelete,
  type DeviceLibp2p,
} from '@kith/node';
import { nextEvent } from '../../../../packages/node/test/fixtures/next-event.ts';
import { RelayProcess } from '../process/relay-process.ts';
import { cipherBytes, putRequest, rawUpload, testBlob, type TestBlob } from './blobs.ts';

const ROOM_QUOTA = 256 * 1024;
const WRITER_QUOTA = 1024 * 1024;

/** A libp2p node with a fresh key: a new peer ID each time, as anyone can mint. */
async function minted(): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: [],
    mdns: false,
  });
}

/** A mailbox key nobody in any room holds: what a stranger signs with. */
function strangerKey(seed: number): MailboxKey {
  return mailboxKeyOf(0n, new Uint8Array(16), new Uint8Array(32).fill(seed));
}

describe('a relay’s blob store against strangers, removed members and minted peer IDs', () => {
  let relay: RelayProcess;
  const nodes: KithNode[] = [];
  const dirs: string[] = [];
  const peers: DeviceLibp2p[] = [];
  let ana: KithNode;
  let ben: KithNode;
  let roomId: RoomId;

  const device = async (name: string): Promise<KithNode> => {
    const dir = await mkdtemp(join(tmpdir(), `kith-blobattack-${name}-`));
    dirs.push(dir);
    const node = await KithNode.open({
      dataDir: dir,
      deviceName: name,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      relays: [relay.tcpAddress],
    });
    nodes.push(node);
    return node;
  };
  const peer = async (): Promise<DeviceLibp2p> => {
    const p = await minted();
    peers.push(p);
    return p;
  };
  const newestKey = async (node: KithNode): Promise<MailboxKey> => {
    const key = (await node.client.mailboxKeys(roomId))?.keys.at(-1);
    if (key === undefined) throw new Error(`${node.deviceId} holds no key of the room`);
    return key;
  };
  /** Record 0 of a blob as the relay serves it to a peer that dialled it, or undefined. */
  const firstRecord = async (blob: TestBlob): Promise<Uint8Array | undefined> => {
    const p = await peer();
    await p.dial(multiaddr(relay.tcpAddress), { signal: AbortSignal.timeout(30_000) });
    const records = fetchRecords(
      p,
      peerIdFromString(relay.peerId),
      { id: blob.id, from: 0, count: 1 },
      AbortSignal.timeout(30_000),
    );
    const first = await records.next();
    await records.return(undefined);
    return first.done === true ? undefined : Uint8Array.from(first.value);
  };
  const upload = async (key: MailboxKey, blob: TestBlob, signer?: MailboxKey) =>
    rawUpload(
      await peer(),
      relay.tcpAddress,
      putRequest(key, relay.peerId, blob, signer),
      blob.records,
    );

  beforeAll(async () => {
    relay = await RelayProcess.start({
      args: [
        '--blob-room-quota',
        `${ROOM_QUOTA}B`,
        '--blob-writer-quota',
        `${WRITER_QUOTA}B`,
        '--log-level',
        'debug',
      ],
    });
    ana = await device('ana');
    ben = await device('ben');
    await ana.addContact(ben.contactLink());
    const joined = nextEvent(ben, 'joined');
    roomId = await ana.createRoom({ members: [ben.userId] });
    await joined;
  }, 60_000);
  afterAll(async () => {
    for (const p of peers) await p.stop();
    for (const n of nodes) await n.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    await relay.remove();
  });

  it('refuses a non-member’s upload for a room, even naming its mailbox key, and a replay from another relay', async () => {
    const roomKey = await newestKey(ana);
    const blob = testBlob(20_000);
    // Mallory knows the room's mailbox public key, not its secret: she signs with her own.
    expect(await upload(roomKey, blob, strangerKey(1))).toEqual([
      expect.objectContaining({ type: 'refused', code: 'UNAUTHORIZED' }),
    ]);
    // A member's signature made for another relay, replayed here.
    const other = (await minted()).peerId.toString();
    const replayed = putRequest(roomKey, other, blob);
    expect(await rawUpload(await peer(), relay.tcpAddress, replayed, blob.records)).toEqual([
      expect.objectContaining({ type: 'refused', code: 'UNAUTHORIZED' }),
    ]);
    expect(await relay.metric('kith_relay_rejections_total{reason="blob_unauthorized"}')).toBe(2);
  });

  it('refuses records that do not hash to the blob’s name, and stores nothing', async () => {
    const blob = testBlob(40_000);
    const junk = blob.records.map((r) => new Uint8Array(r.length));
    const answers = await rawUpload(
      await peer(),
      relay.tcpAddress,
      putRequest(await newestKey(ana), relay.peerId, blob),
      junk,
    );
    expect(answers.at(-1)).toMatchObject({ type: 'refused', code: 'HASH_MISMATCH' });
    expect(await firstRecord(blob)).toBeUndefined();
  });

  it('refuses a delete by a non-member, and serves the blob on; a member’s delete drops it', async () => {
    const roomKey = await newestKey(ana);
    const blob = testBlob(10_000);
    const owner = strangerKey(99);
    expect((await upload(owner, blob)).at(-1)).toEqual({ type: 'ok' });
    const forged = {
      type: 'delete',
      mailbox: owner.keyPair.publicKey,
      id: blob.id,
      signature: signBlobDelete(strangerKey(2), relay.peerId, blob.id),
    } as const;
    const ownKey = {
      ...forged,
      mailbox: strangerKey(2).keyPair.publicKey,
      signature: signBlobDelete(strangerKey(2), relay.peerId, blob.id),
    };
    const roomSigned = {
      ...forged,
      mailbox: roomKey.keyPair.publicKey,
      signature: signBlobDelete(roomKey, relay.peerId, blob.id),
    };
    for (const request of [forged, ownKey, roomSigned]) {
      expect(await rawUpload(await peer(), relay.tcpAddress, request)).toEqual([
        expect.objectContaining({ type: 'refused', code: 'UNAUTHORIZED' }),
      ]);
    }
    expect(await firstRecord(blob)).toEqual(blob.records[0]);
    const genuine = { ...forged, signature: signBlobDelete(owner, relay.peerId, blob.id) };
    expect(await rawUpload(await peer(), relay.tcpAddress, genuine)).toEqual([{ type: 'ok' }]);
    expect(await firstRecord(blob)).toBeUndefined();
  });

  it('refuses a removed member’s upload under the last key it holds', async () => {
    const cat = await device('cat');
    await ana.addContact(cat.contactLink());
    const catJoined = nextEvent(cat, 'joined');
    await ana.invite(roomId, cat.userId);
    await catJoined;
    const bensKey = await newestKey(ben);
    const closes = (): number =>
      relay.logs.filter(
        (l) =>
          l.msg === 'blob uploads closed for a mailbox key' &&
          l['mailbox'] === toHex(bensKey.keyPair.publicKey),
      ).length;
    const left = new Promise<void>((resolve) => {
      const off = ben.client.on('left', () => {
        off();
        resolve();
      });
    });
    const catSaw = new Promise<void>((resolve) => {
      const off = cat.client.on('membership', (e) => {
        if (!e.removed.includes(ben.userId)) return;
        off();
        resolve();
      });
    });
    await ana.client.remove(roomId, ben.userId);
    await Promise.all([left, catSaw]);
    // The members' devices, on the removal, tell the relay that Ben's last epoch is over.
    await relay.until('a member to close Ben’s last epoch', () => closes() > 0);
    // Ben bypasses his client: his last key, a fresh peer ID.
    expect(await upload(bensKey, testBlob(5_000))).toEqual([
      expect.objectContaining({ type: 'refused', code: 'CLOSED' }),
    ]);
    // The members go on uploading under the new epoch's key.
    expect((await upload(await newestKey(cat), testBlob(5_000))).at(-1)).toEqual({ type: 'ok' });
  });
  it('caps a room’s uploads however many peer IDs a member mints, and a stranger’s by where it writes from', async () => {
    // The newest epoch (after the removal above): its quota is untouched.
    const roomKey = await newestKey(ana);
    const blobs = [testBlob(100_000), testBlob(100_000), testBlob(100_000)];
    const answers = [];
    for (const blob of blobs) answers.push((await upload(roomKey, blob)).at(-1));
    expect(cipherBytes(testBlob(100_000)) * 2).toBeLessThan(ROOM_QUOTA);
    expect(answers).toEqual([
      { type: 'ok' },
      { type: 'ok' },
      expect.objectContaining({ type: 'refused', code: 'QUOTA_EXCEEDED' }),
    ]);
    // A stranger mints a key (a room of its own) and a peer ID for every upload: each key's
    // quota is fresh, but everything comes from this one address.
    let stored = 0;
    let refusal: unknown;
    for (let seed = 10; seed < 30 && refusal === undefined; seed++) {
      const last = (await upload(strangerKey(seed), testBlob(100_000))).at(-1);
      if (last?.type === 'ok') stored++;
      else refusal = last;
    }
    expect(refusal).toMatchObject({ type: 'refused', code: 'QUOTA_EXCEEDED' });
    expect((stored + 2) * cipherBytes(testBlob(100_000))).toBeLessThanOrEqual(WRITER_QUOTA);
    expect(stored).toBeGreaterThan(0);
  });
});
