import type { ClientState, KeyPackage, LeafNode } from 'ts-mls';
import { readDeviceCredential } from '../identity/credential.ts';
import type { DeviceId, UserId } from '../ids.ts';

/** A member device of the group, as its leaf in the ratchet tree says. */
export interface MemberDevice {
  readonly leafIndex: number;
  readonly deviceId: DeviceId;
  readonly userId: UserId;
  readonly publicKey: Uint8Array;
  /** The encoded device certificate the leaf's credential carries. */
  readonly certificate: Uint8Array;
}

// Reading a credential verifies a certificate signature: cache it per credential object, which
// ts-mls shares between the states of successive epochs.
const credentials = new WeakMap<object, ReturnType<typeof readDeviceCredential>>();

/** The device a leaf node belongs to; undefined when its credential is not a Kith device's. */
export function deviceOfLeaf(leaf: LeafNode, leafIndex: number): MemberDevice | undefined {
  let device = credentials.get(leaf.credential);
  if (device === undefined && !credentials.has(leaf.credential)) {
    device = readDeviceCredential(leaf.credential);
    credentials.set(leaf.credential, device);
  }
  if (device === undefined) return undefined;
  return {
    leafIndex,
    deviceId: device.deviceId,
    userId: device.userId,
    publicKey: leaf.signaturePublicKey,
    certificate:
      leaf.credential.credentialType === 'basic' ? leaf.credential.identity : new Uint8Array(),
  };
}

export function deviceOfKeyPackage(kp: KeyPackage): MemberDevice | undefined {
  return deviceOfLeaf(kp.leafNode, -1);
}

/** The member devices of a group state, in leaf order (leaf i is tree node 2i). */
export function memberDevices(state: ClientState): MemberDevice[] {
  const out: MemberDevice[] = [];
  state.ratchetTree.forEach((node, nodeIndex) => {
    if (node?.nodeType !== 'leaf' || nodeIndex % 2 !== 0) return;
    const device = deviceOfLeaf(node.leaf, nodeIndex / 2);
    if (device !== undefined) out.push(device);
  });
  return out;
}

export function ownLeafIndex(state: ClientState): number {
  return state.privatePath.leafIndex;
}
