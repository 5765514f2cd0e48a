/**
 * Kith's libp2p protocol IDs (docs/PROTOCOL.md §10). Each is versioned on its own: a change
 * that older devices cannot read gets a new ID, and both are served during the transition.
 */
export const Protocols = {
  /** Direct engine frames (sync, welcomes): length-prefixed, one long-lived stream per peer. */
  direct: '/kith/direct/1.0.0',
  /** Asks a device for one of its key packages. */
  keyPackage: '/kith/key-package/1.0.0',
  /** Asks a fellow member where other members' devices can be reached. */
  locate: '/kith/locate/1.0.0',
  /** A relay's mailboxes: ciphertext kept per conversation topic for offline members. */
  mailbox: '/kith/mailbox/2.0.0',
  /** A relay's key packages for offline users. */
  keyPackageDirectory: '/kith/key-package-directory/1.0.0',
  /** A relay's per-device inboxes (Welcomes for offline devices). */
  inbox: '/kith/inbox/1.0.0',
  /** Records of an encrypted file (blob), named by its ciphertext hash. */
  blob: '/kith/blob/1.0.0',
  /** A relay's blob store: uploads, deletes and limits (its records are read over `blob`). */
  blobStore: '/kith/blob-store/1.0.0',
  /** Links a new device of the user from a device that showed a one-time link. */
  deviceLink: '/kith/device-link/1.0.0',
} as const;

/** Largest frame on a direct stream: the engine's own frame limit plus its length prefix. */
export const MAX_DIRECT_FRAME_BYTES = 4 * 1024 * 1024 + 16;
