import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.ts';
import { webRandom } from '../../src/ports/random.ts';
import { texts, World } from './world.ts';

describe("a user's second device", () => {
  it('is certified by the first, added to a room by its user, and acts as the same user', async () => {
    const world = new World(95);
    const [a, b1] = [await world.add('a'), await world.add('b laptop')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b1]);
    const first = await b1.send(roomId, 'from the laptop');
    await world.settle();

    const key = generateSigningKeyPair(webRandom);
    const certificate = b1.certifyDevice(key.publicKey, 'b phone');
    const b2 = await world.add('b phone', {
      linkedDevice: { secretKey: key.secretKey, certificate },
    });
    expect(b2.userId).toBe(b1.userId);
    expect(b2.userIdentity).toBeUndefined();
    expect(() => b2.certifyDevice(generateSigningKeyPair(webRandom).publicKey, 'x')).toThrow(
      expect.objectContaining({ code: 'NOT_ALLOWED' }) as Error,
    );

    // A member of the room may add its own devices, whatever the invite rules.
    await a.setInvitesRestricted(roomId, true);
    await world.settle();
    await world.invite(b1, roomId, [b2]);
    await world.tickAll();
    expect(a.room(roomId).devices.filter((d) => d.userId === b1.userId)).toHaveLength(2);
    expect(texts(b2, roomId)).toEqual(['from the laptop']);
    // Same user: the phone may edit what the laptop sent.
    await b2.edit(roomId, first, 'edited on the phone');
    await world.settle();
    expect(texts(a, roomId)).toEqual(['edited on the phone']);
    expect(a.timeline(roomId)[0]?.sender).toBe(b1.userId);
  });

  it('a certificate for another key, or a forged one, is refused when opening', async () => {
    const world = new World(96);
    const b1 = await world.add('b');
    const key = generateSigningKeyPair(webRandom);
    const other = generateSigningKeyPair(webRandom);
    const certificate = b1.certifyDevice(other.publicKey, 'wrong key');
    await expect(
      world.add('b phone', { linkedDevice: { secretKey: key.secretKey, certificate } }),
    ).rejects.toMatchObject({ name: 'IdentityError' });
  });
});
