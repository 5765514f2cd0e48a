/**
 * Bounds of a contact link. They keep a link of a typical user (one or two devices, a few
 * addresses) short enough for a QR code, and bound what a decoder accepts from a stranger.
 */
export const ContactLinkLimits = {
  /** Length of the user and device Ed25519 public keys. */
  publicKeyBytes: 32,
  /** UTF-8 bytes of the display name (which may be empty). */
  maxDisplayNameBytes: 64,
  /** Devices per link; at least one, so the contact can be reached at all. */
  minDevices: 1,
  maxDevices: 16,
  /** Network addresses (binary multiaddrs) per device. */
  maxAddressesPerDevice: 8,
  /** Relay addresses per link. */
  maxRelays: 8,
  /** Bytes of one address; an empty address is never valid. */
  minAddressBytes: 1,
  maxAddressBytes: 255,
  /** Bytes of the checksum after the body. */
  checksumBytes: 4,
  /**
   * Characters of the longest link the limits above allow (`kith:` + base32 of a 35632-byte
   * body and its checksum); longer text is refused before it is decoded.
   */
  maxLinkLength: 57_023,
} as const;
