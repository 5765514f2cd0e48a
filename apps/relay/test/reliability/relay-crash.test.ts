import { randomBytes } from 'node:crypto';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeMailboxResponse,
  encodeMailboxRequest,
  mailboxKeyOf,
  MailboxLimits,
  signMailboxPutMany,
  signMailboxRead,
  toHex,
  type MailboxKey,
  type MailboxRequest,
  type MailboxResponse,
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
import { freePort } from '../store-and-forward/harness.ts';
import { ProcessSet } from './process-set.ts';

const WRITERS = 3;
/** Each writer's burst: at most this many puts of 3 messages, ended early by the crash. */
const PUTS_PER_WRITER = 200;
/** The relay is killed once it has acknowledged this many messages in all. */
const KILL_AFTER = 60;

/** A device's libp2p node that speaks the mailbox protocol to the relay directly. */
async function writer(): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: [],
    mdns: false,
  });
}

interface Stored {
  readonly seq: bigint;
  readonly hex: string;
  readonly length: number;
}

describe('a relay killed (SIGKILL) during a burst of puts from several devices', () => {
  const processes = new ProcessSet();
  const nodes: DeviceLibp2p[] = [];
  // The epoch's mailbox key (what every member derives from the epoch's exporter secret): its
  // public key names the mailbox on the relay.
  const key: MailboxKey = mailboxKeyOf(1n, randomBytes(16), randomBytes(32));
  const mailbox = key.keyPair.publicKey;
  let relay: RelayProcess;
  let address = '';
  let port = 0;
  /** Messages the relay acknowledged, and those whose put failed (the relay was gone). */
  const acked = new Set<string>();
  const unacked: Uint8Array[] = [];
  const sentAll = new Map<string, Uint8Array>();

  afterAll(async () => {
    await Promise.allSettled(
      nodes.map(async (n) => {
        await n.stop();
      }),
    );
    await processes.teardown();
  }, 60_000);

  const node = (i: number): DeviceLibp2p => {
    const n = nodes[i];
    if (n === undefined) throw new Error(`no writer ${i}`);
    return n;
  };

  const ask = async (from: DeviceLibp2p, request: MailboxRequest): Promise<MailboxResponse> =>
    decodeMailboxResponse(
      await sendRequest(
        from,
        multiaddr(address),
        Protocols.mailbox,
        encodeMailboxRequest(request),
        MAILBOX_EXCHANGE,
      ),
    );

  const putMany = (data: Uint8Array[]): MailboxRequest => ({
    type: 'putMany',
    mailbox,
    data,
    // Signed for this relay (its peer ID, the same after a restart on the same data).
    signature: signMailboxPutMany(key, relay.peerId, data),
  });

  /** Everything in the mailbox, in order. */
  const readAll = async (reader: DeviceLibp2p): Promise<Stored[]> => {
    const out: Stored[] = [];
    let after = 0n;
    for (let page = 0; page < 100; page++) {
      const response = await ask(reader, {
        type: 'fetch',
        mailbox,
        after,
        limit: MailboxLimits.maxFetch,
        signature: signMailboxRead(key, relay.peerId, after),
      });
      if (response.type !== 'messages') throw new Error(`fetch: ${JSON.stringify(response)}`);
      for (const m of response.messages) {
        out.push({ seq: m.seq, hex: toHex(m.data), length: m.data.length });
      }
      const last = response.messages.at(-1);
      if (!response.more || last === undefined) return out;
      after = last.seq;
    }
    throw new Error('the mailbox did not end');
  };

  /** Each message once, sequence numbers 1..n without a gap, counters matching the messages. */
  const expectConsistent = async (stored: Stored[]): Promise<void> => {
    const seen = new Map<string, number>();
    for (const s of stored) seen.set(s.hex, (seen.get(s.hex) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    expect(stored.map((s) => s.seq)).toEqual(stored.map((_, i) => BigInt(i + 1)));
    for (const s of stored) expect(sentAll.has(s.hex)).toBe(true);
    const status = await ask(node(0), { type: 'status', mailbox });
    expect(status).toMatchObject({ type: 'status', nextSeq: BigInt(stored.length + 1) });
    const bytes = stored.reduce((n, s) => n + s.length, 0);
    expect(await relay.metric('kith_relay_stored_bytes')).toBe(bytes);
  };

  it('keeps every acknowledged put exactly once, with counters that match', async () => {
    port = await freePort();
    ({ relay, address } = await processes.relayAt(port));
    for (let i = 0; i < WRITERS; i++) nodes.push(await writer());
    // A mailbox exists for whoever holds its key: nothing to claim first, it starts empty.
    expect(await ask(node(0), { type: 'status', mailbox })).toEqual({
      type: 'status',
      nextSeq: 1n,
    });

    let crashed: Promise<void> | undefined;
    const burst = async (from: DeviceLibp2p): Promise<void> => {
      for (let i = 0; i < PUTS_PER_WRITER; i++) {
        const data = [1, 2, 3].map(() => randomBytes(200 + Math.floor(Math.random() * 1800)));
        for (const d of data) sentAll.set(toHex(d), d);
        let response: MailboxResponse;
        try {
          response = await ask(from, putMany(data));
        } catch {
          // The relay is gone: this put and the rest of the burst are not acknowledged.
          unacked.push(...data);
          return;
        }
        if (response.type !== 'ok') throw new Error(`refused: ${JSON.stringify(response)}`);
        for (const d of data) acked.add(toHex(d));
        if (acked.size >= KILL_AFTER) crashed ??= processes.crash(relay);
      }
    };
    await Promise.all(nodes.map((n) => burst(n)));
    await crashed;
    // The crash came mid-burst: some puts were acknowledged, and some were not.
    expect(crashed).toBeDefined();
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(unacked.length).toBeGreaterThan(0);

    relay = (await processes.relayAt(port, relay.dataDir)).relay;
    const stored = await readAll(node(0));
    const held = new Set(stored.map((s) => s.hex));
    expect([...acked].filter((hex) => !held.has(hex))).toEqual([]);
    await expectConsistent(stored);
  });

  it('stores once what devices put again (acknowledged or not), and nothing is missing', async () => {
    // A device re-sends what the relay did not acknowledge; some acknowledgements may have been
    // lost on the way too, so it re-sends a few acknowledged ones as well.
    const again = [...unacked, ...[...acked].slice(0, 10).map((hex) => sentAll.get(hex))];
    for (let at = 0; at < again.length; at += MailboxLimits.maxPutMany) {
      const batch = again.slice(at, at + MailboxLimits.maxPutMany).filter((d) => d !== undefined);
      expect((await ask(node(1), putMany(batch))).type).toBe('ok');
    }
    const stored = await readAll(node(2));
    expect(new Set(stored.map((s) => s.hex))).toEqual(new Set(sentAll.keys()));
    await expectConsistent(stored);
  });
});
