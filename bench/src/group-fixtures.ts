import {
  decodeMlsMessage,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  processPrivateMessage,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  type PrivateMessage,
  type Proposal,
  type Welcome,
} from 'ts-mls';
import {
  createDeviceIdentity,
  createDeviceKeyPackage,
  createUserIdentity,
  kithAuthenticationService,
  kithCapabilities,
  kithClientConfig,
  webRandom,
  type DeviceIdentity,
  type DeviceKeyPackage,
  type GroupOptions,
} from '@kith/core';

/** A Kith device with one key package. */
export interface BenchDevice {
  readonly identity: DeviceIdentity;
  readonly kp: DeviceKeyPackage;
}

export async function kithDevice(cs: CiphersuiteImpl): Promise<BenchDevice> {
  const identity = createDeviceIdentity(createUserIdentity(webRandom), webRandom, 'bench', 0);
  return { identity, kp: await createDeviceKeyPackage(identity, cs) };
}

export function kithOptions(cs: CiphersuiteImpl): GroupOptions {
  return { cs, config: kithClientConfig(kithAuthenticationService(), 16) };
}

export interface RawKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

/**
 * A key package with a basic credential, as a raw ts-mls application would make it. It lists
 * Kith's room-state extension so the baseline may carry the same GroupContext bytes.
 */
export function rawKeyPackage(cs: CiphersuiteImpl, name: string): Promise<RawKeyPackage> {
  return generateKeyPackage(
    { credentialType: 'basic', identity: new TextEncoder().encode(name) },
    kithCapabilities(),
    defaultLifetime,
    [],
    cs,
  );
}

export function addProposal(keyPackage: KeyPackage): Proposal {
  return { proposalType: 'add', add: { keyPackage } };
}

export function removeProposal(leafIndex: number): Proposal {
  return { proposalType: 'remove', remove: { removed: leafIndex } };
}

export function welcomeOf(bytes: Uint8Array | undefined): Welcome {
  if (bytes === undefined) throw new Error('no Welcome');
  const decoded = decodeMlsMessage(bytes, 0)?.[0];
  if (decoded?.wireformat !== 'mls_welcome') throw new Error('not a Welcome');
  return decoded.welcome;
}

export function requireWelcome(welcome: Welcome | undefined): Welcome {
  if (welcome === undefined) throw new Error('no Welcome');
  return welcome;
}

/** The wire form of a private message, as the baseline sends it. */
export function encodePrivate(privateMessage: PrivateMessage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
}

/** Decodes and processes one private message on a raw ts-mls state. */
export async function rawProcess(
  state: ClientState,
  bytes: Uint8Array,
  cs: CiphersuiteImpl,
): Promise<{ state: ClientState; message: Uint8Array | undefined }> {
  const decoded = decodeMlsMessage(bytes, 0)?.[0];
  if (decoded?.wireformat !== 'mls_private_message') throw new Error('not a private message');
  const result = await processPrivateMessage(state, decoded.privateMessage, emptyPskIndex, cs);
  return {
    state: result.newState,
    message: result.kind === 'applicationMessage' ? result.message : undefined,
  };
}
