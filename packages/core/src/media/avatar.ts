import { blobUri, fromBase64Url, parseBlobUri, toBase64Url } from './blob-id.ts';
import { BlobLayout, BlobLimits } from './layout.ts';
import { MediaError } from './media-errors.ts';
import type { BlobDescriptor } from './opener.ts';

/** Bounds on an avatar picture: small enough to fetch for every member shown. */
export const AvatarLimits = {
  /** Bytes of the picture. */
  maxBytes: 256 * 1024,
  /** Longest side of the avatars Kith makes, in pixels. */
  side: 256,
} as const;

/** An avatar carried as a blob: what fetching and opening it takes, and its picture type. */
export interface AvatarBlob extends BlobDescriptor {
  readonly mediaType: 'image/jpeg' | 'image/png';
}

const TYPES = { jpeg: 'image/jpeg', png: 'image/png' } as const;

/**
 * The avatar reference of a user profile or a room (at most 512 characters): the blob URI
 * with the plaintext size, the picture type, and the key and nonce, base64url:
 * `ni:///sha-256;<hash>?rs=<rs>&s=<size>&t=jpeg&k=<key>&n=<nonce>`. Profiles and room state
 * travel only inside the MLS group, so the key reaches members alone, as a message's does.
 */
export function avatarUri(avatar: AvatarBlob): string {
  checkSize(avatar.size);
  const type = avatar.mediaType === 'image/png' ? 'png' : 'jpeg';
  return `${blobUri(avatar)}&s=${avatar.size}&t=${type}&k=${toBase64Url(avatar.key)}&n=${toBase64Url(avatar.nonce)}`;
}

/**
 * The avatar blob a reference names; undefined for a reference of another kind (an https URI
 * set by hand); a MediaError (PREVIEW_INVALID, PREVIEW_TOO_LARGE) for a malformed one.
 */
export function readAvatarUri(uri: string): AvatarBlob | undefined {
  if (!uri.startsWith('ni:///sha-256;')) return undefined;
  const match = /^(ni:\/\/\/[^?]+\?rs=\d+)&s=(\d{1,9})&t=(jpeg|png)&k=([\w-]+)&n=([\w-]+)$/.exec(
    uri,
  );
  const locator = match?.[1] === undefined ? undefined : parseBlobUri(match[1]);
  const key = fromBase64Url(match?.[4] ?? '');
  const nonce = fromBase64Url(match?.[5] ?? '');
  if (match === null || locator === undefined || key === undefined || nonce === undefined) {
    throw new MediaError('PREVIEW_INVALID', 'a malformed avatar reference');
  }
  if (key.length !== BlobLimits.keyBytes || nonce.length !== BlobLimits.nonceBytes) {
    throw new MediaError('PREVIEW_INVALID', 'an avatar reference with a bad key or nonce');
  }
  const size = Number(match[2]);
  checkSize(size);
  try {
    new BlobLayout(size, locator.recordSize);
  } catch (cause) {
    throw new MediaError('PREVIEW_INVALID', 'an avatar reference with bad blob parameters', {
      cause,
    });
  }
  const mediaType = TYPES[match[3] as keyof typeof TYPES];
  return { ...locator, size, key, nonce, mediaType };
}

function checkSize(size: number): void {
  if (size > AvatarLimits.maxBytes) {
    throw new MediaError(
      'PREVIEW_TOO_LARGE',
      `a ${size}-byte avatar (at most ${AvatarLimits.maxBytes})`,
    );
  }
}
