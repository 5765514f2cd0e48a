import type { Libp2p, PeerId } from '@libp2p/interface';
import { keyPackageOwner, type DeviceId, type UserId } from '@kith/core';
import { DeviceError } from '../errors.ts';
import { Protocols } from './protocols.ts';
import { sendRequest, type ExchangeLimits } from './request-response.ts';

/**
 * The key-package protocol (docs/PROTOCOL.md §10.2): an empty request, answered with one fresh
 * key package of the answering device, or nothing when its budget for strangers is spent.
 */
export const KEY_PACKAGE_EXCHANGE: ExchangeLimits = {
  maxRequestBytes: 16,
  maxResponseBytes: 64 * 1024,
  timeoutMs: 10_000,
};

/** Asks `peer` (the device `device` of `user`) for a key package and checks whose it is. */
export async function fetchKeyPackage(
  libp2p: Libp2p,
  peer: PeerId,
  device: DeviceId,
  user: UserId,
): Promise<Uint8Array> {
  const bytes = await sendRequest(
    libp2p,
    peer,
    Protocols.keyPackage,
    new Uint8Array(0),
    KEY_PACKAGE_EXCHANGE,
  );
  const owner = keyPackageOwner(bytes);
  if (owner?.deviceId !== device || owner.userId !== user) {
    throw new DeviceError(
      'BAD_KEY_PACKAGE',
      `device ${device} answered with a key package that is not its own`,
    );
  }
  return bytes;
}
