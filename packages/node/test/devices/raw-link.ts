import { lpStream } from '@libp2p/utils';
import { deviceLinkProof } from '@kith/core';
import { decodeLinkFrame, encodeLinkFrame, Protocols, type LinkFrame } from '@kith/runtime';
import type { KithNode } from '../../src/index.ts';

/**
 * A link attempt that bypasses `requestDeviceLink`: `from` (any device, its libp2p key its own)
 * sends a hello naming `linkId` with a proof made from `proofSecret`, and reads the answer.
 */
export async function rawLinkAttempt(
  from: KithNode,
  to: KithNode,
  attempt: { linkId: Uint8Array; proofSecret: Uint8Array },
): Promise<LinkFrame | undefined> {
  const stream = await from.libp2p.dialProtocol(to.libp2p.getMultiaddrs(), Protocols.deviceLink);
  const lp = lpStream(stream);
  const proof = deviceLinkProof(
    attempt.proofSecret,
    'new',
    to.client.device.keyPair.publicKey,
    from.client.device.keyPair.publicKey,
    'thief',
  );
  await lp.write(
    encodeLinkFrame({ type: 'hello', linkId: attempt.linkId, deviceName: 'thief', proof }),
  );
  const answer = decodeLinkFrame((await lp.read()).subarray());
  await stream.close().catch(() => undefined);
  return answer;
}
