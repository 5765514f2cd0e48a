import {
  defaultCapabilities,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type AuthenticationService,
  type Capabilities,
  type CiphersuiteImpl,
  type ClientConfig,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { ROOM_STATE_EXTENSION_TYPE } from '../room/room-state-codec.ts';

/** The one MLS ciphersuite Kith speaks: X25519, AES-128-GCM, SHA-256, Ed25519 (the device key). */
export const KITH_CIPHERSUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

let suite: Promise<CiphersuiteImpl> | undefined;

/** The ciphersuite implementation, built once (WebCrypto where present, noble otherwise). */
export function loadCiphersuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(KITH_CIPHERSUITE));
  return suite;
}

/** Every Kith leaf supports the room-state GroupContext extension. */
export function kithCapabilities(): Capabilities {
  const base = defaultCapabilities();
  return { ...base, extensions: [...base.extensions, ROOM_STATE_EXTENSION_TYPE] };
}

/**
 * ts-mls configuration: our authentication service, and key retention long enough for the
 * fork window (messages of the last epochs still decrypt after a fork switch).
 */
export function kithClientConfig(authService: AuthenticationService, epochs: number): ClientConfig {
  return {
    ...defaultClientConfig,
    authService,
    keyRetentionConfig: {
      ...defaultClientConfig.keyRetentionConfig,
      retainKeysForEpochs: epochs,
      // Gossip loses messages; a receiver must still open one sent many generations later.
      maximumForwardRatchetSteps: 5000,
    },
  };
}
