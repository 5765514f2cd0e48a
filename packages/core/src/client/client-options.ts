import type { DeviceIdentity } from '../identity/identities.ts';
import type { UserId } from '../ids.ts';
import type { ClockPort } from '../ports/clock.ts';
import type { RandomPort } from '../ports/random.ts';
import type { TransportPort } from '../ports/transport.ts';
import type { KvDatabase } from '../storage/store.ts';
import type { LinkedDevice } from './identity-store.ts';

/**
 * How to open a `KithClient`: its database and transport (the runtime's), and the engine's
 * settings. Apps use `KithNode.open` or `KithBrowser.open`, which fill these in.
 */
export interface KithClientOptions {
  /** An abstract-level database opened with `KvStore.databaseOptions`. */
  readonly storage: KvDatabase;
  /**
   * The network, built for this device once its identity is known (the libp2p peer ID is
   * derived from the device key, so the runtime needs the key first).
   */
  readonly transport: (device: DeviceIdentity) => TransportPort | Promise<TransportPort>;
  /** The time source (default: the system clock); tests pass a simulated one. */
  readonly clock?: ClockPort;
  /** Random bytes (default: WebCrypto); tests pass a seeded source. */
  readonly random?: RandomPort;
  /** Shown to the user's other devices; used only when this device is created. */
  readonly deviceName?: string;
  /**
   * On first open only: make this a further device of an existing user instead of a new user.
   * Generate the key with `generateSigningKeyPair`, and have a device of the user that holds
   * the user key certify it (`certifyDevice`).
   */
  readonly linkedDevice?: LinkedDevice;
  /**
   * On first open only: the user key a backup held (`openBackup`), so this device is a new
   * device of that same user, holding its key again. Ignored once the device exists.
   */
  readonly restoredUserKey?: Uint8Array;
  /** Epochs kept for fork resolution (default 16). */
  readonly retainEpochs?: number;
  /** Messages this device sends in one epoch before it starts a new one (default 4000). */
  readonly rotateAfterMessages?: number;
  /** Called with errors thrown by event handlers or by background work. */
  readonly onError?: (error: unknown) => void;
  /** Whether a user is one of this user's contacts, for the 'contacts' invite policy. */
  readonly isContact?: (user: UserId) => boolean;
}
