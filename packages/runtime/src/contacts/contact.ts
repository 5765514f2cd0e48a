import { deviceIdFromPublicKey, type ContactLink, type DeviceId, type UserId } from '@kith/core';

/** A contact as the node shows it. */
export interface Contact {
  /** The contact's user. */
  readonly userId: UserId;
  /** The name in their contact link. */
  readonly displayName: string;
  /** Their 32-byte identity key, from which `userId` derives: for the safety number. */
  readonly userPublicKey: Uint8Array;
  /** Their devices the link named. */
  readonly devices: readonly DeviceId[];
}

/** A contact link as a device shows the contact. */
export function describeContact(link: ContactLink): Contact {
  return {
    userId: link.userId,
    displayName: link.displayName,
    userPublicKey: link.userPublicKey,
    devices: link.devices.map((d) => deviceIdFromPublicKey(d.publicKey)),
  };
}
