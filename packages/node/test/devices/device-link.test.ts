import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeDeviceLink,
  deviceLinkId,
  encodeDeviceLink,
  messageText,
  type RoomId,
} from '@kith/core';
import type { LinkerEvent, LinkProgress, LinkRequest } from '@kith/runtime';
import { KithNode } from '../../src/index.ts';
import { until } from '../fixtures/next-event.ts';
import { rawLinkAttempt } from './raw-link.ts';

const open: KithNode[] = [];
const dirs: string[] = [];
const LOOPBACK = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false } as const;

async function dataDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kith-${name}-`));
  dirs.push(dir);
  return dir;
}

async function device(name: string): Promise<KithNode> {
  const node = await KithNode.open({ dataDir: await dataDir(name), deviceName: name, ...LOOPBACK });
  open.push(node);
  return node;
}

afterEach(async () => {
  for (const n of open.splice(0)) await n.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The next linker event of `type` on `node`. */
function nextLinkerEvent<T extends LinkerEvent['type']>(
  node: KithNode,
  type: T,
  accept: (e: Extract<LinkerEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<LinkerEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = node.devices.linker.on((e) => {
      if (e.type !== type) return;
      const event = e as Extract<LinkerEvent, { type: T }>;
      if (!accept(event)) return;
      off();
      resolve(event);
    });
  });
}

/** Links a new device from `from`, confirming when both codes match. */
async function link(
  from: KithNode,
  name: string,
): Promise<{ node: KithNode; rooms: number; text: string; code: string; done: LinkProgress }> {
  const shown = from.devices.linker.create();
  const request = nextLinkerEvent(from, 'request');
  const done = nextLinkerEvent(from, 'progress', (e) => e.progress.done);
  let code = '';
  const linking = KithNode.link({
    dataDir: await dataDir(name),
    deviceName: name,
    link: shown.text,
    onCode: (c) => (code = c),
    ...LOOPBACK,
  });
  const asked: LinkRequest = (await request).request;
  // The user compares the codes on both screens, then confirms on the old device.
  from.devices.linker.decide(asked.deviceId, true);
  const { device: node, rooms } = await linking;
  open.push(node);
  expect(asked.code).toBe(code);
  expect(asked.deviceId).toBe(node.deviceId);
  return { node, rooms, text: shown.text, code, done: (await done).progress };
}

describe('linking a device from a running one', () => {
  it('certifies it for the same user, adds it to every room with history, and contacts see it', async () => {
    const [alice, bob] = [await device('alice'), await device('bob-laptop')];
    await alice.addContact(bob.contactLink('Bob'));
    const rooms: RoomId[] = [];
    for (const name of ['lunch', 'work']) {
      rooms.push(await alice.createRoom({ name, members: [bob.userId] }));
    }
    await until(bob, ['joined'], () => bob.client.rooms().length === 2);
    const [lunch, work] = rooms as [RoomId, RoomId];
    await bob.client.send(lunch, 'before linking');
    await alice.client.send(work, 'hello work');

    const linked = await link(bob, 'bob-phone');
    const phone = linked.node;
    expect(linked.code).toMatch(/^\d{3} \d{3}$/);
    expect(linked.rooms).toBe(2);
    expect(phone.userId).toBe(bob.userId);
    expect(phone.client.userIdentity?.userId).toBe(bob.userId);
    expect(linked.done).toMatchObject({ roomsAdded: 2, roomsTotal: 2, failed: [] });

    // History as the rooms allow (both share all), by sync from the laptop.
    await until(
      phone,
      ['timeline', 'joined'],
      () =>
        phone.client.rooms().length === 2 &&
        phone.client.timeline(lunch).some((m) => messageText(m.content) === 'before linking') &&
        phone.client.timeline(work).some((m) => messageText(m.content) === 'hello work'),
    );
    // Alice sees the same person with one more device, by a list Bob's key signed.
    await until(
      alice,
      ['devices', 'meta'],
      () =>
        alice.client.deviceList(bob.userId)?.devices.some((d) => d.deviceId === phone.deviceId) ===
          true && alice.client.room(lunch).devices.some((d) => d.deviceId === phone.deviceId),
    );
    expect(bob.devices.list().map((d) => d.name)).toEqual(['bob-laptop', 'bob-phone']);
    expect(phone.devices.list()[0]).toMatchObject({ name: 'bob-phone', current: true });

    // Same user: the phone writes as Bob.
    await phone.client.send(work, 'from the phone');
    await until(alice, ['timeline'], () =>
      alice.client.timeline(work).some((m) => messageText(m.content) === 'from the phone'),
    );
    const sent = alice.client
      .timeline(work)
      .find((m) => messageText(m.content) === 'from the phone');
    expect(sent?.sender).toBe(bob.userId);
  });

  it('refuses a guessed secret, a wrong proof, a replayed link, an expired one, and a decline', async () => {
    const bob = await device('bob');
    const shown = bob.devices.linker.create();
    const offer = decodeDeviceLink(shown.text);

    // A stranger who saw the code but not the secret: a guessed secret names no link.
    const guessed = { ...offer, secret: offer.secret.map((b) => b ^ 0x5a) };
    await expect(
      KithNode.link({
        dataDir: await dataDir('guess'),
        deviceName: 'thief',
        link: encodeDeviceLink(guessed),
        ...LOOPBACK,
      }),
    ).rejects.toMatchObject({
      code: 'LINK_REFUSED',
      message: expect.stringMatching(/unknown-link/) as string,
    });

    // One who learnt the link's ID but not its secret: the proof does not verify.
    const thief = await device('thief');
    const wrongProof = await rawLinkAttempt(thief, bob, {
      linkId: deviceLinkId(offer.secret),
      proofSecret: guessed.secret,
    });
    expect(wrongProof).toEqual({ type: 'refuse', reason: 'bad-proof' });

    // That attempt burnt the link: even the right secret is now refused.
    const replay = await rawLinkAttempt(thief, bob, {
      linkId: deviceLinkId(offer.secret),
      proofSecret: offer.secret,
    });
    expect(replay).toEqual({ type: 'refuse', reason: 'used' });

    // An expired link.
    const old = decodeDeviceLink(bob.devices.linker.create(-60_000).text);
    expect(
      await rawLinkAttempt(thief, bob, {
        linkId: deviceLinkId(old.secret),
        proofSecret: old.secret,
      }),
    ).toEqual({ type: 'refuse', reason: 'expired' });

    // The user declines after comparing codes.
    const fresh = bob.devices.linker.create();
    const request = nextLinkerEvent(bob, 'request');
    const declined = KithNode.link({
      dataDir: await dataDir('declined'),
      deviceName: 'not mine',
      link: fresh.text,
      ...LOOPBACK,
    });
    bob.devices.linker.decide((await request).request.deviceId, false);
    await expect(declined).rejects.toMatchObject({ code: 'LINK_REFUSED' });
    expect(bob.client.deviceList()?.devices.map((d) => d.name)).toEqual(['bob']);
  });

  it('a used link cannot link a second device', async () => {
    const bob = await device('bob');
    const first = await link(bob, 'bob-phone');
    expect(first.node.userId).toBe(bob.userId);
    const again = KithNode.link({
      dataDir: await dataDir('again'),
      deviceName: 'bob-tablet',
      link: first.text,
      ...LOOPBACK,
    });
    await expect(again).rejects.toMatchObject({
      code: 'LINK_REFUSED',
      message: expect.stringMatching(/used/) as string,
    });
  });
});

describe('revoking a device', () => {
  it('removes it from every room, contacts stop trusting it, and the revoked device stops for good', async () => {
    const [alice, bob] = [await device('alice'), await device('bob-laptop')];
    await alice.addContact(bob.contactLink('Bob'));
    const roomId = await alice.createRoom({ name: 'lunch', members: [bob.userId] });
    await until(bob, ['joined'], () => bob.client.rooms().length === 1);
    const { node: phone } = await link(bob, 'bob-phone');
    // The phone announces itself (profile, device list) in the room once it is in.
    await until(alice, ['meta'], () =>
      alice.client.room(roomId).devices.some((d) => d.deviceId === phone.deviceId),
    );
    const phoneId = phone.deviceId;
    const phoneDir = dirs.at(-1) ?? '';
    const closed = new Promise<void>((resolve) => {
      const off = phone.client.on('devices', (e) => {
        if (e.revoked.includes(phoneId)) {
          off();
          resolve();
        }
      });
    });

    // A lost phone is revoked from the laptop, by its name.
    const report = await bob.devices.revoke('bob-phone');
    expect(report.removedFrom).toEqual([roomId]);
    await closed;
    // A message Bob sends after the revocation reaches Alice after the removal did.
    await bob.client.send(roomId, 'after the revocation');
    await until(alice, ['timeline'], () =>
      alice.client.timeline(roomId).some((m) => messageText(m.content) === 'after the revocation'),
    );
    expect(alice.client.isDeviceRevoked(phoneId, bob.userId)).toBe(true);
    expect(alice.client.room(roomId).devices.map((d) => d.deviceId)).not.toContain(phoneId);
    expect(bob.devices.list().map((d) => d.name)).toEqual(['bob-laptop']);
    expect(alice.client.deviceList(bob.userId)?.revoked).toContain(phoneId);

    // The revoked device stopped: it forgot the user key, and its data no longer opens.
    await phone.close();
    open.splice(open.indexOf(phone), 1);
    await expect(KithNode.open({ dataDir: phoneDir, ...LOOPBACK })).rejects.toMatchObject({
      code: 'DEVICE_REVOKED',
    });
  });
});
