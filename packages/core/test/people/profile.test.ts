import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import {
  decodeDeviceProfile,
  encodeDeviceProfile,
  ProfileLimits,
} from '../../src/people/profile.ts';

describe('device profiles as meta values', () => {
  it('round-trips, and fits a meta value', () => {
    const p = { userName: 'Ana', deviceName: 'laptop', avatar: 'blob:abc', updatedAt: 42 };
    const bytes = encodeDeviceProfile(p);
    expect(decodeDeviceProfile(bytes)).toEqual(p);
    const big = encodeDeviceProfile({
      userName: 'x'.repeat(1000),
      deviceName: '😀'.repeat(1000),
      avatar: `https://${'a'.repeat(ProfileLimits.maxAvatarChars - 8)}`,
      updatedAt: Number.MAX_SAFE_INTEGER,
    });
    expect(big.length).toBeLessThan(4096);
  });

  it('cleans what another member wrote, however it was encoded', () => {
    const hostile = encodeCbor([1, '\x1b]0;pwned\x07ana\u202e', 'pc\r\n', 'not a uri', 7]);
    expect(decodeDeviceProfile(hostile)).toEqual({
      userName: ']0;pwned ana',
      deviceName: 'pc',
      avatar: undefined,
      updatedAt: 7,
    });
    const long = decodeDeviceProfile(encodeCbor([1, 'n'.repeat(300), '', null, 1]));
    expect(long?.userName).toHaveLength(ProfileLimits.maxNameChars);
  });

  it('reads anything that is not a profile as none', () => {
    expect(decodeDeviceProfile(new Uint8Array([0xff]))).toBeUndefined();
    expect(decodeDeviceProfile(encodeCbor([2, 'a', 'b', null, 1]))).toBeUndefined();
    expect(decodeDeviceProfile(encodeCbor([1, 'a', 'b', null, -1]))).toBeUndefined();
    expect(decodeDeviceProfile(encodeCbor([1, 'a', 'b', 5, 1]))).toBeUndefined();
    expect(decodeDeviceProfile(encodeCbor([1, 'x'.repeat(2000), 'b', null, 1]))).toBeUndefined();
  });
});
