import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { fromHex, messageText, roomTopic, type RoomId, type TimelineChange } from '@kith/core';
import { createDeviceLibp2p, KithNode, PeerGuard, type DeviceLibp2p } from '@kith/node';

/**
 * Devices and raw libp2p nodes on loopback in this process, for the @kith/node benchmarks. Every
 * wait is for an event and bounded: a timeout throws and names what did not happen.
 */

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

/** Temporary directories under the OS's, removed by `removeAll`. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `kith-bench-${prefix}-`));
    this.#dirs.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    for (const dir of this.#dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

export function openDevice(dataDir: string, name: string): Promise<KithNode> {
  return KithNode.open({ dataDir, deviceName: name, listen: LOOPBACK, mdns: false });
}

/**
 * Resolves once `check` holds. It is checked now and again whenever `listen` reports something
 * happened; after `ms` the wait fails with an error naming `label`.
 */
export function waitUntil(
  label: string | (() => string),
  ms: number,
  check: () => boolean,
  listen: (recheck: () => void) => () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    let off: () => void = () => undefined;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      if (error === undefined) resolve();
      else reject(asError(error));
    };
    const timer = setTimeout(() => {
      const what = typeof label === 'string' ? label : label();
      finish(new Error(`timed out after ${ms / 1000} s waiting for ${what}`));
    }, ms);
    const recheck = (): void => {
      try {
        if (!done && check()) finish();
      } catch (error) {
        finish(error);
      }
    };
    off = listen(recheck);
    recheck();
  });
}

/** Something to listen on: a client (`on` returning an unsubscribe) or a libp2p event target. */
interface Target {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** `listen` for `waitUntil`: events of these libp2p targets and clients. */
export function onAny(
  targets: readonly (readonly [Target, readonly string[]])[],
  clients: readonly KithNode[] = [],
): (recheck: () => void) => () => void {
  return (recheck) => {
    const offs: (() => void)[] = [];
    for (const [target, types] of targets) {
      for (const type of types) {
        target.addEventListener(type, recheck);
        offs.push(() => {
          target.removeEventListener(type, recheck);
        });
      }
    }
    for (const node of clients) {
      for (const type of ['timeline', 'joined', 'membership', 'sync', 'rejected'] as const) {
        offs.push(node.client.on(type, recheck));
      }
    }
    return () => {
      for (const off of offs) off();
    };
  };
}

/** A room's gossip topic, as the engine names it. */
function topicOf(roomId: RoomId): string {
  const groupId = fromHex(roomId);
  if (groupId === undefined) throw new Error(`room ID ${roomId} is not hex`);
  return roomTopic(groupId);
}

/**
 * Records the size of every ciphertext `node` receives on the room's topic; `median()` is the
 * size the benchmarks report (and give their raw baselines) as the message size.
 */
export function watchCiphertextSizes(node: KithNode, roomId: RoomId): { median(): number } {
  const sizes: number[] = [];
  const topic = topicOf(roomId);
  node.libp2p.services.pubsub.addEventListener('message', (e) => {
    if (e.detail.topic === topic) sizes.push(e.detail.data.length);
  });
  return {
    median: () => [...sizes].sort((a, b) => a - b)[Math.floor(sizes.length / 2)] ?? 0,
  };
}

/**
 * `nodes[0]` creates a room with every other device's user invited. Contacts form a star: the
 * creator adds everyone's link (it needs their key packages); the others find each other as
 * fellow members (locate protocol) and connect, so connections end as a full mesh. Resolves
 * once every device has joined, is connected to all the others and sees them all subscribed
 * to the room's topic (gossipsub then floods each new message to every member in one hop).
 */
export async function roomOf(nodes: readonly KithNode[], timeoutMs: number): Promise<RoomId> {
  const [creator, ...others] = nodes;
  if (creator === undefined) throw new Error('no devices');
  for (const other of others) await creator.addContact(other.contactLink(other.client.deviceId));
  const joined = new Set<KithNode>();
  const allJoined = waitUntil(
    'every invited device to join',
    timeoutMs,
    () => joined.size === others.length,
    (recheck) => {
      const offs = others.map((o) =>
        o.client.on('joined', () => {
          joined.add(o);
          recheck();
        }),
      );
      return () => {
        for (const off of offs) off();
      };
    },
  );
  const roomId = await creator.createRoom({
    name: 'bench',
    members: others.map((o) => o.userId),
  });
  await allJoined;
  const topic = topicOf(roomId);
  await waitUntil(
    `${nodes.length} devices to connect to each other and subscribe to the room`,
    timeoutMs,
    () =>
      nodes.every(
        (n) =>
          n.connectedDevices().length === nodes.length - 1 &&
          n.libp2p.services.pubsub.getSubscribers(topic).length === nodes.length - 1,
      ),
    onAny(
      nodes.flatMap((n) => [
        [n.libp2p, ['peer:identify', 'peer:connect']] as const,
        [n.libp2p.services.pubsub, ['subscription-change']] as const,
      ]),
      nodes,
    ),
  );
  return roomId;
}

/**
 * Resolves once the room is quiet: every device has all there is and has had its own messages
 * acknowledged by another member (sync runs on the nodes' timer, every 2 s), and nothing waits
 * in its input queue. Runs measured one after another start from this state.
 */
export async function settle(nodes: readonly KithNode[], roomId: RoomId): Promise<void> {
  const unsettled = (): string =>
    nodes
      .map((n, i) => ({ i, status: n.client.syncStatus(roomId) }))
      .filter(({ status }) => !status.complete || status.unsent > 0)
      .map(({ i, status }) => `device ${i}: complete ${status.complete}, unsent ${status.unsent}`)
      .join('; ');
  await waitUntil(
    () => `every device to be in sync with nothing unacknowledged (${unsettled()})`,
    30_000,
    () =>
      nodes.every((n) => {
        const status = n.client.syncStatus(roomId);
        return status.complete && status.unsent === 0;
      }),
    onAny(
      nodes.map((n) => [n.libp2p.services.pubsub, ['message', 'gossipsub:heartbeat']] as const),
      nodes,
    ),
  );
  await Promise.all(nodes.map((n) => n.client.idle()));
}

/** The text of each message a timeline event added. */
export function addedTexts(changes: readonly TimelineChange[]): string[] {
  return changes.flatMap((c) => (c.type === 'added' ? [messageText(c.message.content)] : []));
}

/**
 * Raw libp2p nodes built as a device's (`createDeviceLibp2p`, fresh Ed25519 keys, a PeerGuard),
 * all connected to each other and subscribed to `topic`. No Kith above them.
 */
export async function rawMesh(
  n: number,
  topic: string,
  timeoutMs: number,
): Promise<DeviceLibp2p[]> {
  const nodes: DeviceLibp2p[] = [];
  for (let i = 0; i < n; i++) {
    const key = await generateKeyPair('Ed25519');
    nodes.push(await createDeviceLibp2p(key, new PeerGuard(), { listen: LOOPBACK, mdns: false }));
  }
  for (const node of nodes) node.services.pubsub.subscribe(topic);
  // Each pair connects once. libp2p refuses more than 5 inbound connections a second from one
  // IP address (connectionManager.inboundConnectionThreshold), and here every node is
  // 127.0.0.1: so each node dials the next half of the ring, and none gets more than n/2.
  const dials: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    for (let step = 1; step <= n / 2; step++) {
      const j = (i + step) % n;
      if (step === n / 2 && i >= n / 2) continue; // the opposite pair, dialled from one side
      const [a, b] = [nodes[i], nodes[j]];
      if (a !== undefined && b !== undefined) dials.push(a.dial(b.getMultiaddrs()));
    }
  }
  await Promise.all(dials);
  await waitUntil(
    `${n} raw libp2p nodes to see each other subscribed`,
    timeoutMs,
    () => nodes.every((node) => node.services.pubsub.getSubscribers(topic).length === n - 1),
    onAny(nodes.map((node) => [node.services.pubsub, ['subscription-change']] as const)),
  );
  return nodes;
}

export async function stopAll(nodes: readonly DeviceLibp2p[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      await n.stop();
    }),
  );
}

/** What was thrown, as an Error (libraries may throw anything). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error('a non-Error was thrown', { cause: thrown });
}

/** The value at fraction `p` (0..1) of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** A payload of `size` random-ish bytes whose first four carry `index` (gossip IDs differ). */
export function indexedPayload(size: number, index: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, 4));
  for (let i = 4; i < bytes.length; i++) bytes[i] = (i * 131 + index * 17) & 0xff;
  new DataView(bytes.buffer).setUint32(0, index);
  return bytes;
}

export function payloadIndex(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}
