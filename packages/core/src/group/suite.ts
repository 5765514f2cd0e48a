import {
  ciphersuites,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type AuthenticationService,
  type Capabilities,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type ClientConfig,
  type CredentialTypeName,
  type Rng,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { webRandom } from '../ports/random.ts';
import { ROOM_STATE_EXTENSION_TYPE } from '../room/room-state-codec.ts';
import { withFastHashing, withInstalledSignature } from './suite-hashing.ts';

/** The one MLS ciphersuite Kith speaks: X25519, AES-128-GCM, SHA-256, Ed25519 (the device key). */
export const KITH_CIPHERSUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

let suite: Promise<CiphersuiteImpl> | undefined;

/**
 * The ciphersuite implementation, built once: ts-mls's (WebCrypto where present, noble
 * otherwise) with key derivation and small hashes in JavaScript (`withFastHashing`), and MLS
 * signatures through a native Ed25519 where one is installed (`withInstalledSignature`).
 */
export function loadCiphersuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(KITH_CIPHERSUITE)).then((cs) =>
    withInstalledSignature(withFastHashing(cs)),
  );
  return suite;
}

/** The GREASE values of RFC 9420 §13.5 (0x0A0A, 0x1A1A, ... 0xEAEA). */
const GREASE = Array.from({ length: 15 }, (_, i) => 0x0a0a + i * 0x1010);

/** Each GREASE value with a chance of 1 in 10, drawn from `rng` (not Math.random). */
function grease(rng: Rng): number[] {
  const draws = rng.randomBytes(GREASE.length);
  return GREASE.filter((_, i) => (draws[i] ?? 255) < 26);
}

/**
 * Every Kith leaf supports the room-state GroupContext extension. The capabilities are ts-mls's
 * defaults (every ciphersuite it knows, basic and X.509 credentials) with GREASE values mixed in
 * as ts-mls does, but drawn from `rng`, so that the simulator's devices are reproducible.
 */
export function kithCapabilities(
  rng: Rng = { randomBytes: (n) => webRandom.bytes(n) },
): Capabilities {
  const asName = (n: number): string => n.toString();
  return {
    versions: ['mls10'],
    ciphersuites: [
      ...(Object.keys(ciphersuites) as CiphersuiteName[]),
      ...(grease(rng).map(asName) as CiphersuiteName[]),
    ],
    extensions: [...grease(rng), ROOM_STATE_EXTENSION_TYPE],
    proposals: grease(rng),
    credentials: ['basic', 'x509', ...(grease(rng).map(asName) as CredentialTypeName[])],
  };
}

/**
 * How many skipped message keys a receiver keeps per sender and epoch. Messages reach a device
 * out of order by design: gossip brings a sender's newest while its older ones wait in a relay
 * mailbox, or a relay gets a sender's backlog after the sender came back. ts-mls's default (10)
 * made every message more than 10 behind the newest one opened unreadable for good. A skipped
 * key costs about 40 bytes of stored group state until its message arrives or the epoch is
 * dropped; a sender that skips on purpose can make each receiver keep at most this many.
 */
const RETAINED_SKIPPED_KEYS = 1000;

/**
 * ts-mls configuration: our authentication service, and key retention long enough for the
 * fork window (messages of the last epochs still decrypt after a fork switch) and for
 * messages that arrive out of order (`RETAINED_SKIPPED_KEYS`).
 */
export function kithClientConfig(authService: AuthenticationService, epochs: number): ClientConfig {
  return {
    ...defaultClientConfig,
    authService,
    keyRetentionConfig: {
      ...defaultClientConfig.keyRetentionConfig,
      retainKeysForEpochs: epochs,
      retainKeysForGenerations: RETAINED_SKIPPED_KEYS,
      // Gossip loses messages; a receiver must still open one sent many generations later.
      maximumForwardRatchetSteps: 5000,
    },
  };
}
