import type { DeviceId, UserId } from '../ids.ts';

/** One device of the user: its Ed25519 public key and where it listens. */
export interface ContactLinkDeviceInput {
  /** 32 bytes; also the device's libp2p identity, from which the runtime derives the peer ID. */
  readonly publicKey: Uint8Array;
  /** Binary libp2p multiaddrs, opaque to core: 0 to 8, each 1 to 255 bytes. */
  readonly addresses: readonly Uint8Array[];
}

/** What a contact link carries, as given to `encodeContactLink` (see `ContactLinkLimits`). */
export interface ContactLinkInput {
  /** The user's 32-byte Ed25519 identity key. */
  readonly userPublicKey: Uint8Array;
  /** May be empty; at most 64 UTF-8 bytes. A claim by the link's author, not verified. */
  readonly displayName: string;
  /** 1 to 16 devices, no key twice; order is kept. */
  readonly devices: readonly ContactLinkDeviceInput[];
  /** 0 to 8 relay addresses (binary multiaddrs) where the user can be reached. */
  readonly relays: readonly Uint8Array[];
}

export interface ContactLinkDevice extends ContactLinkDeviceInput {
  readonly deviceId: DeviceId;
}

/** A decoded contact link, with the IDs derived from its keys. */
export interface ContactLink extends ContactLinkInput {
  readonly userId: UserId;
  readonly devices: readonly ContactLinkDevice[];
}
