import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface';
import { bytesEqual, deviceIdFromPublicKey, type DeviceId, type DeviceIdentity } from '@kith/core';

/**
 * A device's libp2p identity is its Kith device key: the noise handshake proves the same key
 * that signs its MLS messages and that its user certified. Knowing a device (from a contact
 * link or a group's member list) therefore means knowing its peer ID, and a connection's
 * remote peer *is* the device, with nothing further to check. The signatures cannot be
 * confused: noise, identify records, MLS and Kith each sign under their own label.
 */
export async function libp2pKeyOf(device: DeviceIdentity): Promise<Ed25519PrivateKey> {
  const key = await generateKeyPairFromSeed('Ed25519', device.keyPair.secretKey);
  // Guard against a seed convention mismatch, which would silently give another identity.
  if (!bytesEqual(key.publicKey.raw, device.keyPair.publicKey)) {
    throw new Error('libp2p derived another public key from the device key');
  }
  return key;
}

/** The peer ID of the device that holds this Ed25519 public key. */
export function peerIdOfDeviceKey(devicePublicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(devicePublicKey));
}

/** The Kith device behind a peer, or undefined for a peer whose key is not Ed25519. */
export function deviceIdOfPeer(peer: PeerId): DeviceId | undefined {
  if (peer.type !== 'Ed25519') return undefined;
  return deviceIdFromPublicKey(peer.publicKey.raw);
}
