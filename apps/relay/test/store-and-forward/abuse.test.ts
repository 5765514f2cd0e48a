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

/** A libp2p node that talks to the relay's mailbox protocol directly, as a stranger would. */
async function stranger(): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: [],
    mdns: false,
  });
}

describe('a relay’s mailboxes against strangers and greedy peers', () => {
  let relay: RelayProcess;
  let relayAddress = '';
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;
  const strangers: DeviceLibp2p[] = [];

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

  beforeAll(async () => {
    const started = await startRelayAt(await freePort(), {
      args: ['--mailbox-peer-quota', '64KiB'],
    });
    relay = started.relay;
    relayAddress = started.address;
    devices = await startDevices(['ana', 'ben'], { relays: [relayAddress] });
    const [ana, ben] = devices as [DeviceHandle, DeviceHandle];
    roomId = await ana.call<RoomId>('createRoom', { name: 'r', members: [ben.identity.userId] });
    await ben.until('joining', async () => (await ben.call<string[]>('rooms')).includes(roomId));
    await ana.call('send', { roomId, text: 'members only' });
    await ana.call('visitRelays');
  }, 60_000);
  afterAll(async () => {
    for (const s of strangers) await s.stop();
    await removeAll(devices);
    await relay.remove();
  }, 60_000);

  it('refuses a non-member’s writes and reads on a conversation’s mailbox, even knowing its name', async () => {
    const [ana] = devices as [DeviceHandle];
    const mallory = await stranger();
    strangers.push(mallory);
    const keys = await ana.call<{ secret: string }[]>('mailboxKeys', { roomId });
    const secret = fromHex(keys.at(-1)?.secret ?? '') ?? new Uint8Array(32);
    const mailbox = mailboxKeyOf(0n, new Uint8Array(16), secret).keyPair.publicKey;
    const own = mailboxKeyOf(99n, new Uint8Array(16), new Uint8Array(32).fill(66));
    const relayPeer = relay.peerId;
    const data = new Uint8Array([0, 1, 0, 2, 1, 2, 3, 4]);
    const put = await ask(mallory, {
      type: 'put',
      mailbox,
      data,
      signature: signMailboxPut(own, relayPeer, data),
    });
    expect(put).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
    const read = await ask(mallory, {
      type: 'fetch',
      mailbox,
      after: 0n,
      limit: 10,
      signature: signMailboxRead(own, relayPeer, 0n),
    });
    expect(read).toMatchObject({ type: 'refused', code: 'UNAUTHORIZED' });
    expect(
      await relay.metric('kith_relay_rejections_total{reason="unauthorized"}'),
    ).toBeGreaterThanOrEqual(2);
  });

  it('refuses a peer beyond its storage quota, saying so', async () => {
    const [ana] = devices as [DeviceHandle];
    const before =
      (await relay.metric('kith_relay_rejections_total{reason="quota_exceeded"}')) ?? 0;
    // About 70 KiB of messages from one device, over its 64 KiB quota.
    const big = 'x'.repeat(3000);
    for (let i = 0; i < 25; i++) await ana.call('send', { roomId, text: `${i} ${big}` });
    // The device tells its user (its onError), naming the relay's reason.
    await ana.until('the refusal reported', () =>
      Promise.resolve(ana.errors.some((e) => e.includes('QUOTA_EXCEEDED'))),
    );
    const after = (await relay.metric('kith_relay_rejections_total{reason="quota_exceeded"}')) ?? 0;
    expect(after).toBeGreaterThan(before);
  });
});

describe('a relay’s rate limits', () => {
  let relay: RelayProcess;
  let relayAddress = '';
  const peers: DeviceLibp2p[] = [];

  beforeAll(async () => {
    const started = await startRelayAt(await freePort(), {
      args: ['--rate-limit-peer-requests-per-minute', '20'],
    });
    relay = started.relay;
    relayAddress = started.address;
  }, 60_000);
  afterAll(async () => {
    for (const p of peers) await p.stop();
    await relay.remove();
  }, 60_000);

  it('refuse a flooding peer with a clear error and keep serving others', async () => {
    const [flooder, polite] = [await stranger(), await stranger()];
    peers.push(flooder, polite);
    const status = async (node: DeviceLibp2p, n: number): Promise<MailboxResponse> =>
      decodeMailboxResponse(
        await sendRequest(
          node,
          multiaddr(relayAddress),
          Protocols.mailbox,
          encodeMailboxRequest({ type: 'status', mailbox: new Uint8Array(32).fill(n) }),
          MAILBOX_EXCHANGE,
        ),
      );
    const answers: MailboxResponse[] = [];
    for (let i = 0; i < 25; i++) answers.push(await status(flooder, i));
    expect(answers.slice(0, 20).every((a) => a.type === 'status')).toBe(true);
    expect(answers.slice(20)).toEqual(
      Array(5).fill({
        type: 'refused',
        code: 'RATE_LIMITED',
        message: 'too many requests: slow down',
      }),
    );
    expect(await status(polite, 1)).toMatchObject({ type: 'status', nextSeq: 1n });
    expect(await relay.metric('kith_relay_rejections_total{reason="rate_limited"}')).toBe(5);
  });
});
