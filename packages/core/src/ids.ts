/**
 * Branded identifiers. Each is a plain string or byte array at run time; the brand keeps a
 * device ID from being passed where a user ID is expected.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A user, derived from the user's identity key: `u` + 52 base32 characters (see identity/). */
export type UserId = Brand<string, 'UserId'>;
/** A device, derived from the device's key: `d` + 52 base32 characters. */
export type DeviceId = Brand<string, 'DeviceId'>;
/** A conversation: lowercase hex of its 32-byte MLS group ID. */
export type RoomId = Brand<string, 'RoomId'>;
