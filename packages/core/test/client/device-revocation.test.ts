import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.ts';
import { createDeviceKeyPackage, encodeKeyPackage } from '../../src/group/key-package.ts';
import { loadCiphersuite } from '../../src/group/suite.ts';
import { createDeviceIdentity, createUserIdentity } from '../../src/identity/identities.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import type { KithEventOf } from '../../src/client/events.ts';
import type { RoomId } from '../../src/ids.ts';
import { texts, World } from './world.ts';

/** Alice and Bob's laptop in a room, Bob's phone linked (holding the user key) and added. */
async function linkedWorld(seed: number): Promise<{
  world: World;
  a: KithClient;
  b1: KithClient;
  b2: KithClient;
  roomId: RoomId;
  seenByA: KithEventOf<'devices'>[];
}> {
  const world = new World(seed);
  const [a, b1] = [await world.add('a'), await world.add('b laptop')];
  const seenByA: KithEventOf<'devices'>[] = [];
  a.on('devices', (e) => seenByA.push(e));
  const roomId = await a.createRoom();
  await world.invite(a, roomId, [b1]);
  await world.tickAll();
  const key = generateSigningKeyPair(world.random);
  const { certificate } = await b1.linkDevice(key.publicKey, 'b phone');
  const userSecretKey = b1.userIdentity?.keyPair.secretKey;
  const b2 = await world.add('b phone', {
    linkedDevice: {
      secretKey: key.secretKey,
      certificate,
      ...(userSecretKey === undefined ? {} : { userSecretKey }),
    },
  });
  await world.invite(b1, roomId, [b2]);
  await world.tickAll();
  return { world, a, b1, b2, roomId, seenByA };
}

describe("a user's devices as contacts see them", () => {
  it('a linked device is listed in the signed list every member keeps, and holds the user key', async () => {
    const { a, b1, b2, seenByA } = await linkedWorld(201);
    expect(b2.userIdentity?.userId).toBe(b1.userId);
    const names = a
      .deviceList(b1.userId)
      ?.devices.map((d) => d.name)
      .sort();
    expect(names).toEqual(['b laptop', 'b phone']);
    expect(b2.deviceList()?.version).toBe(b1.deviceList()?.version);
    // Alice saw the list naming the phone (a lone device publishes none).
    const phoneSeen = seenByA.find((e) => e.userId === b1.userId && e.added.includes(b2.deviceId));
    expect(phoneSeen?.added).toContain(b1.deviceId);
  });

  it('a revoked device is removed from the room, told, and can neither write nor be added again', async () => {
    const { world, a, b1, b2, roomId, seenByA } = await linkedWorld(202);
    const told: KithEventOf<'devices'>[] = [];
    b2.on('devices', (e) => told.push(e));
    const stale = await b2.createKeyPackage();

    const report = await b1.revokeDevice(b2.deviceId);
    expect(report.removedFrom).toEqual([roomId]);
    await world.tickAll();
    expect(a.room(roomId).devices.map((d) => d.deviceId)).not.toContain(b2.deviceId);
    expect(a.isDeviceRevoked(b2.deviceId, b1.userId)).toBe(true);
    expect(seenByA.some((e) => e.revoked.includes(b2.deviceId))).toBe(true);
    expect(told.some((e) => e.userId === b1.userId && e.revoked.includes(b2.deviceId))).toBe(true);

    await expect(b2.send(roomId, 'still here?')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    // A key package of the revoked device (kept on a relay, say) is refused by the AS.
    await expect(a.invite(roomId, [stale])).rejects.toMatchObject({
      code: 'INVALID_CHANGE',
      message: expect.stringMatching(/credential/) as string,
    });
    await b1.send(roomId, 'after the revocation');
    await world.tickAll();
    expect(texts(a, roomId)).toEqual(['after the revocation']);
    expect(a.room(roomId).devices.map((d) => d.deviceId)).not.toContain(b2.deviceId);
  });

  it('a device whose certificate claims the user but was not signed by their key is refused', async () => {
    const { world, a, b1, roomId } = await linkedWorld(203);
    // Mallory certifies a key "of Bob" with a key of her own, then swaps in Bob's user key.
    const mallory = createUserIdentity(world.random);
    const evil = createDeviceIdentity(mallory, world.random, 'b tablet', 1);
    const bobKey = b1.device.certificate.userPublicKey;
    const forged = { ...evil, certificate: { ...evil.certificate, userPublicKey: bobKey } };
    const kp = await createDeviceKeyPackage(forged, await loadCiphersuite());
    const bytes = encodeKeyPackage(kp.publicPackage);
    await expect(async () => a.invite(roomId, [bytes])).rejects.toMatchObject({
      code: 'BAD_KEY_PACKAGE',
    });
    await expect(async () => b1.invite(roomId, [bytes])).rejects.toMatchObject({
      code: 'BAD_KEY_PACKAGE',
    });
    expect(a.room(roomId).devices).toHaveLength(3);
    expect(a.deviceList(b1.userId)?.devices.map((d) => d.deviceId)).not.toContain(evil.deviceId);
  });
});
