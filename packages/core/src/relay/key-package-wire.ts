import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { isUserId } from '../identity/user-id.ts';
import type { UserId } from '../ids.ts';
import { SyncError } from '../sync/errors.ts';

/**
 * A relay's key-package directory (docs/PROTOCOL.md §12.3): devices upload their own key
 * packages; anyone may take one per device of a user, so that user can be invited while offline.
 * Each package is handed out once, except a device's last one, which stays as its last resort.
 */
export type KeyPackageRequest =
  | { readonly type: 'upload'; readonly keyPackages: readonly Uint8Array[] }
  /** How many packages the relay holds for the asking device. */
  | { readonly type: 'count' }
  | { readonly type: 'take'; readonly userId: UserId };

/** A relay's answer to a key-package request. */
export type KeyPackageResponse =
  | { readonly type: 'count'; readonly count: number }
  | { readonly type: 'packages'; readonly keyPackages: readonly Uint8Array[] }
  | { readonly type: 'refused'; readonly message: string };

/** Sizes a relay's key-package directory enforces. */
export const KeyPackageLimits = {
  maxUpload: 100,
  maxPackageBytes: 16 * 1024,
  /** Packages kept per device; uploads beyond it are refused. */
  maxPerDevice: 200,
  maxDevicesPerUser: 32,
} as const;

const VERSION = 1;
const REQUESTS = ['upload', 'count', 'take'] as const;
const RESPONSES = ['count', 'packages', 'refused'] as const;

const r: ShapeReader = new ShapeReader(
  (path, message) => new SyncError('SYNC_MALFORMED', `key-package ${path}: ${message}`),
);

/** The wire form of a key-package request (deterministic CBOR). */
export function encodeKeyPackageRequest(request: KeyPackageRequest): Uint8Array {
  const head = [VERSION, REQUESTS.indexOf(request.type)];
  switch (request.type) {
    case 'upload':
      return encodeCbor([...head, [...request.keyPackages]]);
    case 'count':
      return encodeCbor(head);
    case 'take':
      return encodeCbor([...head, request.userId]);
  }
}

/** Reads a key-package request; SyncError SYNC_MALFORMED for anything else. */
export function decodeKeyPackageRequest(bytes: Uint8Array): KeyPackageRequest {
  const a = r.array(decode(bytes), '');
  r.version(a[0], VERSION);
  const type = REQUESTS[r.uint(a[1], 'type', REQUESTS.length - 1)];
  switch (type) {
    case 'upload':
      r.array(a, '', 3);
      return {
        type,
        keyPackages: r.list(a[2], 'keyPackages', KeyPackageLimits.maxUpload, (v, p) =>
          r.bytes(v, p),
        ),
      };
    case 'count':
      r.array(a, '', 2);
      return { type };
    case 'take': {
      r.array(a, '', 3);
      const userId = r.text(a[2], 'userId', 64);
      if (!isUserId(userId)) return r.fail('userId', 'not a user ID');
      return { type, userId };
    }
    default:
      return r.fail('type', 'unknown request');
  }
}

/** The wire form of a key-package response. */
export function encodeKeyPackageResponse(response: KeyPackageResponse): Uint8Array {
  const head = [VERSION, RESPONSES.indexOf(response.type)];
  switch (response.type) {
    case 'count':
      return encodeCbor([...head, response.count]);
    case 'packages':
      return encodeCbor([...head, [...response.keyPackages]]);
    case 'refused':
      return encodeCbor([...head, response.message]);
  }
}

/** Reads a key-package response; SyncError SYNC_MALFORMED for anything else. */
export function decodeKeyPackageResponse(bytes: Uint8Array): KeyPackageResponse {
  const a = r.array(decode(bytes), '');
  r.version(a[0], VERSION);
  const type = RESPONSES[r.uint(a[1], 'type', RESPONSES.length - 1)];
  r.array(a, '', 3);
  switch (type) {
    case 'count':
      return { type, count: r.uint(a[2], 'count') };
    case 'packages':
      return {
        type,
        keyPackages: r.list(a[2], 'keyPackages', KeyPackageLimits.maxDevicesPerUser, (v, p) =>
          r.bytes(v, p),
        ),
      };
    case 'refused':
      return { type, message: r.text(a[2], 'message') };
    default:
      return r.fail('type', 'unknown response');
  }
}

function decode(bytes: Uint8Array): CborValue {
  try {
    return decodeCbor(bytes, { maxDepth: 3 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'key-package message is not deterministic CBOR', {
      cause,
    });
  }
}
