import type { Libp2p } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import {
  checkDeviceLinkProof,
  deviceLinkCode,
  deviceLinkId,
  deviceLinkProof,
  type DeviceLinkOffer,
  type SigningKeyPair,
} from '@kith/core';
import { describeError, DeviceError } from '../errors.ts';
import { peerIdOfDeviceKey } from '../net/peer-identity.ts';
import { Protocols } from '../net/protocols.ts';
import { decodeLinkFrame, encodeLinkFrame, MAX_LINK_FRAME_BYTES } from './link-wire.ts';

/** What the device that showed a link granted: enough to open as a device of its user. */
export interface LinkGrant {
  readonly certificate: Uint8Array;
  readonly userSecretKey: Uint8Array;
  readonly deviceList: Uint8Array;
  /** Rooms it is adding this device to. */
  readonly rooms: number;
}

/** How long the new device waits for its user to confirm on the other device. */
const CONFIRM_WAIT_MS = 180_000;

/**
 * The new device's end of the link protocol: dials the device named in the link (the noise
 * handshake proves its key), proves the secret, checks the other end's proof of it, shows the
 * code (`onCode`), and waits for the grant. `key` is the new device's key, which `libp2p` must
 * be keyed by: the other end reads it from the connection.
 */
export async function requestDeviceLink(
  libp2p: Libp2p,
  offer: DeviceLinkOffer,
  key: SigningKeyPair,
  deviceName: string,
  onCode: (code: string) => void = () => undefined,
): Promise<LinkGrant> {
  const peer = peerIdOfDeviceKey(offer.devicePublicKey);
  const addresses: Multiaddr[] = [];
  const suffix = `/p2p/${peer.toString()}`;
  for (const text of offer.addresses) {
    // Only addresses of the linked device itself: noise then proves whom we reached.
    if (!text.endsWith(suffix)) continue;
    try {
      addresses.push(multiaddr(text.slice(0, -suffix.length)));
    } catch {
      // A malformed address in a link is skipped; the others may do.
    }
  }
  if (addresses.length === 0) {
    throw new DeviceError('LINK_FAILED', 'the link names no address of its device');
  }
  await libp2p.peerStore.merge(peer, { multiaddrs: addresses });
  let stream;
  try {
    stream = await libp2p.dialProtocol(peer, Protocols.deviceLink, {
      signal: AbortSignal.timeout(15_000),
      runOnLimitedConnection: true,
    });
  } catch (cause) {
    throw new DeviceError(
      'LINK_FAILED',
      `the device that showed the link cannot be reached (${describeError(cause)})`,
      { cause },
    );
  }
  const lp = lpStream(stream, { maxDataLength: MAX_LINK_FRAME_BYTES });
  try {
    await lp.write(
      encodeLinkFrame({
        type: 'hello',
        linkId: deviceLinkId(offer.secret),
        deviceName,
        proof: deviceLinkProof(
          offer.secret,
          'new',
          offer.devicePublicKey,
          key.publicKey,
          deviceName,
        ),
      }),
    );
    const read = async (waitMs: number) =>
      decodeLinkFrame((await lp.read({ signal: AbortSignal.timeout(waitMs) })).subarray());
    const answer = await read(15_000);
    if (answer?.type === 'refuse') {
      throw new DeviceError('LINK_REFUSED', `the link was refused: ${answer.reason}`);
    }
    const expected = deviceLinkProof(
      offer.secret,
      'old',
      offer.devicePublicKey,
      key.publicKey,
      deviceName,
    );
    if (answer?.type !== 'accept' || !checkDeviceLinkProof(expected, answer.proof)) {
      throw new DeviceError('LINK_FAILED', 'the other device did not prove the link secret');
    }
    onCode(deviceLinkCode(offer.secret, offer.devicePublicKey, key.publicKey));
    const result = await read(CONFIRM_WAIT_MS);
    if (result?.type === 'refuse') {
      throw new DeviceError('LINK_REFUSED', `the link was refused: ${result.reason}`);
    }
    if (result?.type !== 'grant') {
      throw new DeviceError('LINK_FAILED', 'the other device answered with no grant');
    }
    await stream.close().catch(() => undefined);
    return {
      certificate: result.certificate,
      userSecretKey: result.userSecretKey,
      deviceList: result.deviceList,
      rooms: result.rooms,
    };
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    if (error instanceof DeviceError) throw error;
    throw new DeviceError('LINK_FAILED', `the link broke off (${describeError(error)})`, {
      cause: error,
    });
  }
}
