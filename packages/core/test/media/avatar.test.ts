import { describe, expect, it } from 'vitest';
import { AvatarLimits, avatarUri, cleanAvatar, readAvatarUri } from '../../src/index.ts';
import { blobIdOf } from '../../src/media/blob-id.ts';

const avatar = {
  id: blobIdOf(new Uint8Array(32).fill(9)),
  size: 20_000,
  recordSize: 262_144,
  key: new Uint8Array(16).fill(1),
  nonce: new Uint8Array(12).fill(2),
  mediaType: 'image/jpeg' as const,
};

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('avatar references', () => {
  it('round-trip, and fit a profile avatar', () => {
    const uri = avatarUri(avatar);
    expect(readAvatarUri(uri)).toEqual(avatar);
    expect(cleanAvatar(uri)).toBe(uri);
  });

  it('leave other URIs alone', () => {
    expect(readAvatarUri('https://example.org/me.png')).toBeUndefined();
  });

  it('refuse malformed and oversized references with a typed error', () => {
    const uri = avatarUri(avatar);
    expect(codeOf(() => readAvatarUri(uri.replace('&t=jpeg', '&t=svg')))).toBe('PREVIEW_INVALID');
    expect(codeOf(() => readAvatarUri(uri.replace(/&k=[\w-]+/, '&k=AAAA')))).toBe(
      'PREVIEW_INVALID',
    );
    expect(
      codeOf(() => readAvatarUri(uri.replace('&s=20000', `&s=${AvatarLimits.maxBytes + 1}`))),
    ).toBe('PREVIEW_TOO_LARGE');
    expect(codeOf(() => avatarUri({ ...avatar, size: AvatarLimits.maxBytes + 1 }))).toBe(
      'PREVIEW_TOO_LARGE',
    );
    expect(codeOf(() => readAvatarUri(`${uri}&x=1`))).toBe('PREVIEW_INVALID');
  });
});
