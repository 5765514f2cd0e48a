import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMailboxResponse,
  encodeMailboxRequest,
  fromHex,
  mailboxKeyOf,
  signMailboxPut,
  signMailboxRead,
  type MailboxKey,
  type MailboxRequest,
  type MailboxResponse,
  type RoomId,
} from '@kith/core';
import {
  createDeviceLibp2p,
  MAILBOX_EXCHANGE,
  PeerGuard,
  Protocols,
  sendRequest,
  type DeviceLibp2p,
} from '@kith/node';
import type { RelayProcess } from '../process/relay-process.ts';
import { freePort, removeAll, startDevices, startRelayAt, type DeviceHandle } from './harness.ts';

/**
 * Issue 13, item 7, against a real relay process and real devices: a member that is removed
 * keeps every mailbox key it had and attacks the relay from freshly minted peer IDs; a member
 * who was offline through it all still gets the room's news from the relay alone.
 */
describe('a relay’s mailboxes against a removed member with minted peer IDs', () => {
  let relay: RelayProcess;
  let relayAddress = '';
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;
  const nodes: DeviceLibp2p[] = [];

  /** A libp2p node on a new key: a peer ID minted for one attack. */
  const mint = async (): Promise<DeviceLibp2p> => {
    const node = await createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
      listen: [],
      mdns: false,
    });
    nodes.push(node);
    return node;
  };
  const ask = async (node: DeviceLibp2p, request: MailboxRequest): Promise<MailboxResponse> =>
    decodeMailboxResponse(
      await sendRequest(
        node,
        multiaddr(relayAddress),
        Protocols.mailbox,
        encodeMailboxRequest(request),
        MAILBOX_EXCHANGE,
      ),
    );
  const keysOf = async (device: DeviceHandle): Promise<MailboxKey[]> =>
    (
      await device.call<{ epoch: string; epochId: string; secret: string }[]>('mailboxKeys', {
        roomId,
      })
    ).map((k) =>
      mailboxKeyOf(
        BigInt(k.epoch),
        fromHex(k.epochId) ?? new Uint8Array(),
        fromHex(k.secret) ?? new Uint8Array(),
      ),
    );
  const epochOf = async (device: DeviceHandle): Promise<string> =>
    (await device.call<{ epoch: string }>('room', { roomId })).epoch;

  beforeAll(async () => {
    const started = await startRelayAt(await freePort(), {
      args: ['--mailbox-topic-quota', '64KiB'],
    });
    relay = started.relay;
    relayAddress = started.address;
    devices = await startDevices(['ana', 'ben', 'cat'], { relays: [relayAddress] });
    const [ana, ben, cat] = devices as [DeviceHandle, DeviceHandle, DeviceHandle];
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'r',
      members: [ben.identity.userId, cat.identity.userId],
    });
    for (const d of [ben, cat]) {
      await d.until('joining', async () => (await d.call<string[]>('rooms')).includes(roomId));
    }
  }, 90_000);
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await removeAll(devices);
    await relay.remove();
  }, 60_000);

  it('locks the removed member out of every later mailbox, and a member offline throughout still gets the news', async () => {
    const [ana, ben, cat] = devices as [DeviceHandle, DeviceHandle, DeviceHandle];
    await ana.call('send', { roomId, text: 'before' });
    await ben.hasAll(roomId, ['before']);
    await cat.hasAll(roomId, ['before']);
    // Cat keeps every key it had; ben goes offline; ana removes cat and puts the commit on
    // the relay, in the mailbox of the epoch cat and ben are still on.
    const stolen = await keysOf(cat);
    await cat.stop();
    await ben.stop();
    await ana.call('remove', { roomId, userId: cat.identity.userId });
    await ana.call('visitRelays');
    const after = (await keysOf(ana)).at(-1);
    if (after === undefined) throw new Error('no key');
    expect(stolen.every((k) => k.epoch < after.epoch)).toBe(true);
    const relayPeer = relay.peerId;

    // The removed member, from minted peer IDs: every key it kept, and one it names epoch 2^62.
    const selfNamed = mailboxKeyOf(2n ** 62n, new Uint8Array(16), new Uint8Array(32).fill(7));
    const data = new Uint8Array(16 * 1024).fill(1);
    for (const key of [...stolen, selfNamed]) {
      const mallory = await mint();
      const put = await ask(mallory, {
        type: 'put',
        mailbox: after.keyPair.publicKey,
        data,
        signature: signMailboxPut(key, relayPeer, data),
      });
      expect(put).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
      const read = await ask(mallory, {
        type: 'fetch',
        mailbox: after.keyPair.publicKey,
        after: 0n,
        limit: 10,
        signature: signMailboxRead(key, relayPeer, 0n),
      });
      expect(read).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
    }
    // It fills the mailbox of its last epoch (after the commit went in) from minted peers,
    // and mailboxes of keys it made up: neither is the members' next mailbox.
    const last = stolen.at(-1);
    if (last === undefined) throw new Error('no key');
    let full = false;
    for (let i = 0; i < 8 && !full; i++) {
      const junk = new Uint8Array(16 * 1024).fill(10 + i);
      const answer = await ask(await mint(), {
        type: 'put',
        mailbox: last.keyPair.publicKey,
        data: junk,
        signature: signMailboxPut(last, relayPeer, junk),
      });
      full = answer.type === 'refused' && answer.code === 'QUOTA_EXCEEDED';
    }
    expect(full).toBe(true);
    for (let i = 0; i < 10; i++) {
      const own = mailboxKeyOf(BigInt(i), new Uint8Array(16), new Uint8Array(32).fill(100 + i));
      const answer = await ask(await mint(), {
        type: 'put',
        mailbox: own.keyPair.publicKey,
        data,
        signature: signMailboxPut(own, relayPeer, data),
      });
      expect(answer.type).toBe('ok');
    }

    // Ana writes in the new epoch and leaves; ben comes back to nobody but the relay. He reads
    // the commit from the flooded mailbox, moves on, and reads the next epoch's mailbox.
    await ana.call('send', { roomId, text: 'after the removal' });
    const epoch = await epochOf(ana);
    await ana.stop();
    expect(ana.errors.filter((e) => e.includes('RELAY_REFUSED'))).toEqual([]);
    await ben.restart();
    await ben.hasAll(roomId, ['before', 'after the removal']);
    expect(await epochOf(ben)).toBe(epoch);
  });
});
