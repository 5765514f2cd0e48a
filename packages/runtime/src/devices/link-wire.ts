import { decodeCbor, encodeCbor, type CborValue } from '@kith/core';

/**
 * The frames of the device-link protocol (`/kith/device-link/1.0.0`, docs/PROTOCOL.md §10.9):
 * each a length-prefixed CBOR array whose first element is its type. The new device sends a
 * hello; the device that showed the link answers accept (with its own proof) or refuse, then,
 * once its user compared the code and confirmed, grant or refuse.
 */
export type LinkFrame =
  | {
      readonly type: 'hello';
      readonly linkId: Uint8Array;
      readonly deviceName: string;
      readonly proof: Uint8Array;
    }
  | { readonly type: 'accept'; readonly proof: Uint8Array }
  | {
      readonly type: 'grant';
      readonly certificate: Uint8Array;
      readonly userSecretKey: Uint8Array;
      readonly deviceList: Uint8Array;
      /** Rooms the new device is about to be added to (for its progress). */
      readonly rooms: number;
    }
  | { readonly type: 'refuse'; readonly reason: LinkRefusal };

/** Why a link attempt was refused; the same words on both ends. */
export type LinkRefusal =
  /** No link with that ID was shown here (never, or before a restart). */
  | 'unknown-link'
  /** The link was used already: each link links one device. */
  | 'used'
  /** The link's time ran out. */
  | 'expired'
  /** The proof does not match the link's secret (a guessed or altered secret). */
  | 'bad-proof'
  /** The user declined on the device that showed the link. */
  | 'declined'
  /** Nobody confirmed in time. */
  | 'timeout';

const REFUSALS: readonly LinkRefusal[] = [
  'unknown-link',
  'used',
  'expired',
  'bad-proof',
  'declined',
  'timeout',
];
const TYPES = ['hello', 'accept', 'grant', 'refuse'] as const;

/** Largest frame either end reads (a grant carries a device list of up to 100 devices). */
export const MAX_LINK_FRAME_BYTES = 64 * 1024;

/** The CBOR frame of a device-link message (docs/PROTOCOL.md §10.6). */
export function encodeLinkFrame(frame: LinkFrame): Uint8Array {
  const type = TYPES.indexOf(frame.type);
  switch (frame.type) {
    case 'hello':
      return encodeCbor([type, frame.linkId, frame.deviceName, frame.proof]);
    case 'accept':
      return encodeCbor([type, frame.proof]);
    case 'grant':
      return encodeCbor([
        type,
        frame.certificate,
        frame.userSecretKey,
        frame.deviceList,
        frame.rooms,
      ]);
    case 'refuse':
      return encodeCbor([type, frame.reason]);
  }
}

/** The frame in `bytes`, or undefined for anything that is not a well-formed one. */
export function decodeLinkFrame(bytes: Uint8Array): LinkFrame | undefined {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const a: readonly CborValue[] = value;
  const bytesAt = (i: number, length?: number): Uint8Array | undefined => {
    const v = a[i];
    return v instanceof Uint8Array && (length === undefined || v.length === length) ? v : undefined;
  };
  switch (TYPES[typeof a[0] === 'number' ? a[0] : -1]) {
    case 'hello': {
      const linkId = bytesAt(1, 16);
      const name = a[2];
      const proof = bytesAt(3, 32);
      if (linkId === undefined || typeof name !== 'string' || proof === undefined) return undefined;
      if (a.length !== 4 || name.length > 64) return undefined;
      return { type: 'hello', linkId, deviceName: name, proof };
    }
    case 'accept': {
      const proof = bytesAt(1, 32);
      return proof === undefined || a.length !== 2 ? undefined : { type: 'accept', proof };
    }
    case 'grant': {
      const certificate = bytesAt(1);
      const userSecretKey = bytesAt(2, 32);
      const deviceList = bytesAt(3);
      const rooms = a[4];
      if (certificate === undefined || userSecretKey === undefined || deviceList === undefined) {
        return undefined;
      }
      if (typeof rooms !== 'number' || !Number.isSafeInteger(rooms) || rooms < 0) return undefined;
      return { type: 'grant', certificate, userSecretKey, deviceList, rooms };
    }
    case 'refuse': {
      const reason = REFUSALS.find((r) => r === a[1]);
      return reason === undefined ? undefined : { type: 'refuse', reason };
    }
    default:
      return undefined;
  }
}
