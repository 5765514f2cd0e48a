import { describe, expect, it } from 'vitest';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { createDeviceIdentity, createUserIdentity } from '@kith/core';
import { SeededRandom } from '@kith/core/testing';
import { deviceIdOfPeer, libp2pKeyOf, peerIdOfDeviceKey } from '../../src/net/peer-identity.ts';

describe('a device’s libp2p identity', () => {
  it('is its device key: the peer ID names the device, both ways', async () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 5; i++) {
      const device = createDeviceIdentity(createUserIdentity(random), random, `d${i}`, 0);
      const key = await libp2pKeyOf(device);
      const peer = peerIdFromPrivateKey(key);
      expect(key.publicKey.raw).toEqual(device.keyPair.publicKey);
      expect(peerIdOfDeviceKey(device.keyPair.publicKey).equals(peer)).toBe(true);
      expect(deviceIdOfPeer(peer)).toBe(device.deviceId);
    }
  });

  it('gives different devices different peers', async () => {
    const random = new SeededRandom(8);
    const user = createUserIdentity(random);
    const a = peerIdFromPrivateKey(await libp2pKeyOf(createDeviceIdentity(user, random, 'a', 0)));
    const b = peerIdFromPrivateKey(await libp2pKeyOf(createDeviceIdentity(user, random, 'b', 0)));
    expect(a.equals(b)).toBe(false);
  });
});
