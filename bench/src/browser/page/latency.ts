import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { createBrowserLibp2p, KithBrowser, PeerGuard, type DeviceLibp2p } from '@kith/browser';
import { messageText, type RoomId, type UserId } from '@kith/core';

/**
 * The tab's side of the latency benchmark: one Kith device, or one raw libp2p node built as a
 * device's, that sends, and records when messages arrive (wall clock, `Date.now()`: the
 * other side is another process or tab on the same machine).
 */
let device: KithBrowser | undefined;
let raw: DeviceLibp2p | undefined;
const arrived = new Map<string, number>();
const waiting = new Map<string, (at: number) => void>();

function note(key: string, at: number): void {
  arrived.set(key, at);
  waiting.get(key)?.(at);
  waiting.delete(key);
}

/** When the message `key` (a Kith text, or a raw payload index) arrived here. */
export function arrivalOf(key: string): Promise<number> {
  const at = arrived.get(key);
  if (at !== undefined) return Promise.resolve(at);
  return new Promise((resolve) => waiting.set(key, resolve));
}

export async function kithOpen(
  name: string,
  relay: string,
): Promise<{ userId: UserId; link: string; peerId: string }> {
  const d = await KithBrowser.open({ name, relays: [relay], dialInsecure: true, tickMs: 500 });
  device = d;
  d.client.on('timeline', (e) => {
    const at = Date.now();
    for (const c of e.changes) if (c.type === 'added') note(messageText(c.message.content), at);
  });
  return { userId: d.userId, link: d.contactLink('bench'), peerId: d.libp2p.peerId.toString() };
}

function requireDevice(): KithBrowser {
  if (device === undefined) throw new Error('no Kith device open in this tab');
  return device;
}

export async function kithAddContact(link: string): Promise<void> {
  await requireDevice().addContact(link);
}

export function kithCreateRoom(member: UserId): Promise<RoomId> {
  return requireDevice().createRoom({ name: 'latency', members: [member] });
}

/** Sends `text`: the time just before (for the latency), and how long `send` took to resolve. */
export async function kithSend(
  roomId: RoomId,
  text: string,
): Promise<{ at: number; sendMs: number }> {
  const at = Date.now();
  const start = performance.now();
  await requireDevice().client.send(roomId, text);
  return { at, sendMs: performance.now() - start };
}

/** How this tab reaches `peerId`: the remote addresses of its connections. */
export function connectionsTo(peerId: string): string[] {
  const node = device?.libp2p ?? raw;
  if (node === undefined) return [];
  return node
    .getConnections()
    .filter((c) => c.remotePeer.toString() === peerId)
    .map((c) => c.remoteAddr.toString());
}

export async function rawOpen(relay: string, topic: string): Promise<{ peerId: string }> {
  const key = await generateKeyPair('Ed25519');
  const node = await createBrowserLibp2p(key, new PeerGuard(), {
    relays: [relay],
    dialInsecure: true,
  });
  raw = node;
  node.services.pubsub.subscribe(topic);
  node.services.pubsub.addEventListener('message', (e) => {
    if (e.detail.topic !== topic) return;
    const data = e.detail.data;
    note(String(new DataView(data.buffer, data.byteOffset, 4).getUint32(0)), Date.now());
  });
  return { peerId: node.peerId.toString() };
}

/** The raw node's relayed address, once the relay has given it a reservation. */
export async function rawCircuitAddress(): Promise<string> {
  const node = requireRaw();
  for (;;) {
    const a = node.getMultiaddrs().find((m) => m.toString().includes('/p2p-circuit'));
    if (a !== undefined) return a.toString();
    await new Promise((resolve) => {
      node.addEventListener('self:peer:update', resolve, { once: true });
    });
  }
}

function requireRaw(): DeviceLibp2p {
  if (raw === undefined) throw new Error('no raw libp2p node in this tab');
  return raw;
}

/** Dials `address`, up to three times: a relayed dial on a busy machine can time out. */
export async function rawDial(address: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await requireRaw().dial(multiaddr(address));
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Resolves once `peerId` is seen subscribed to `topic`. */
export async function rawSubscribed(peerId: string, topic: string): Promise<void> {
  const pubsub = requireRaw().services.pubsub;
  while (!pubsub.getSubscribers(topic).some((p) => p.toString() === peerId)) {
    await new Promise((resolve) => {
      pubsub.addEventListener('subscription-change', resolve, { once: true });
    });
  }
}

/** Publishes a payload of `size` bytes carrying `index`; the time just before. */
export async function rawPublish(topic: string, size: number, index: number): Promise<number> {
  const data = new Uint8Array(Math.max(size, 4));
  for (let i = 4; i < data.length; i++) data[i] = (i * 131 + index * 17) & 0xff;
  new DataView(data.buffer).setUint32(0, index);
  const at = Date.now();
  await requireRaw().services.pubsub.publish(topic, data);
  return at;
}

export async function closeAll(): Promise<void> {
  await device?.close();
  await raw?.stop();
  device = undefined;
  raw = undefined;
}
