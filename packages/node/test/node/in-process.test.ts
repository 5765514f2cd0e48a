import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { messageText, type RoomId } from '@kith/core';
import { KithNode } from '../../src/index.ts';
import { nextEvent } from '../fixtures/next-event.ts';

const open: KithNode[] = [];
const dirs: string[] = [];

async function device(name: string): Promise<KithNode> {
  const dir = await mkdtemp(join(tmpdir(), `kith-${name}-`));
  dirs.push(dir);
  const node = await KithNode.open({
    dataDir: dir,
    deviceName: name,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
  open.push(node);
  return node;
}

afterEach(async () => {
  for (const n of open.splice(0)) await n.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('KithNode in one process', () => {
  it('adds a contact from a link, invites them and exchanges messages', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    const contact = await alice.addContact(bob.contactLink('Bob'));
    expect(contact).toMatchObject({ userId: bob.userId, displayName: 'Bob' });
    const joined = nextEvent(bob, 'joined');
    const roomId: RoomId = await alice.createRoom({ name: 'lunch', members: [bob.userId] });
    await joined;
    const arrived = nextEvent(bob, 'timeline');
    await alice.client.send(roomId, 'hello bob');
    await arrived;
    expect(bob.client.timeline(roomId).map((m) => messageText(m.content))).toContain('hello bob');
  });
});

describe('KithNode transports and discovery', () => {
  it('connects over WebSockets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-ws-'));
    dirs.push(dir);
    const ws = await KithNode.open({
      dataDir: dir,
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      mdns: false,
    });
    open.push(ws);
    const other = await device('other');
    const address = ws.addresses().find((a) => a.includes('/ws/'));
    expect(address).toBeDefined();
    expect(await other.connect(address ?? '')).toBe(ws.deviceId);
  });

  it('dials its bootstrap peers on start', async () => {
    const hub = await device('hub');
    const dir = await mkdtemp(join(tmpdir(), 'kith-boot-'));
    dirs.push(dir);
    const joined = new Promise<void>((resolve) => {
      hub.libp2p.addEventListener('peer:identify', () => {
        resolve();
      });
    });
    const leaf = await KithNode.open({
      dataDir: dir,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      bootstrap: hub.addresses(),
    });
    open.push(leaf);
    await joined;
    expect(hub.connectedDevices()).toContain(leaf.deviceId);
  });

  it('refuses an address that is not a multiaddr', async () => {
    const node = await device('n');
    await expect(node.connect('not an address')).rejects.toMatchObject({ code: 'BAD_ADDRESS' });
  });

  it('cannot invite a user it has no contact for', async () => {
    const node = await device('n');
    const roomId = await node.createRoom({ name: 'x' });
    await expect(node.invite(roomId, ('u' + 'a'.repeat(52)) as never)).rejects.toMatchObject({
      code: 'UNKNOWN_CONTACT',
    });
  });

  it('reuses its last port on restart, and takes another when that one is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-port-'));
    dirs.push(dir);
    const options = { dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false } as const;
    const portOf = (node: KithNode): string =>
      /\/tcp\/(\d+)/.exec(node.addresses()[0] ?? '')?.[1] ?? '';
    const first = await KithNode.open(options);
    const port = portOf(first);
    await first.close();
    const again = await KithNode.open(options);
    expect(portOf(again)).toBe(port);
    await again.close();
    // Someone else holds the port now: the device still starts, on another one.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(port), '127.0.0.1', resolve));
    try {
      const moved = await KithNode.open(options);
      open.push(moved);
      expect(portOf(moved)).not.toBe(port);
      expect(portOf(moved)).not.toBe('');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('refuses a relay address without a peer ID before opening anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-relay-bad-'));
    dirs.push(dir);
    await expect(
      KithNode.open({ dataDir: dir, relays: ['/ip4/127.0.0.1/tcp/4011'], mdns: false }),
    ).rejects.toMatchObject({ code: 'BAD_ADDRESS' });
  });
});
