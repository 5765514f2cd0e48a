import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { concatBytes } from '../../src/crypto/bytes.ts';
import {
  ContactLinkLimits as L,
  decodeContactLink,
  encodeContactLink,
  type ContactLinkInput,
} from '../../src/contacts/contact-link.ts';
import { bytesOf, codeOf, frame, frameCbor, key } from './helpers.ts';

const address = (length: number, fill = 7) => bytesOf(length, fill);
const devices = (count: number, addresses = 0, addressBytes = 8) =>
  Array.from({ length: count }, (_, i) => ({
    publicKey: key(i + 10),
    addresses: Array.from({ length: addresses }, (_, j) => address(addressBytes, j + 1)),
  }));

const base: ContactLinkInput = {
  userPublicKey: key(1),
  displayName: 'Bob',
  devices: devices(1, 1),
  relays: [address(10)],
};

/** The CBOR body of `base`, to alter one field at a time. */
const body = (changes: Partial<Record<number, CborValue>> = {}, length = 5): CborValue[] => {
  const fields: CborValue[] = [1, key(1), 'Bob', [[key(10), [address(8)]]], [address(10)]];
  for (const [i, value] of Object.entries(changes)) fields[Number(i)] = value;
  return fields.slice(0, length);
};

const encodeCode = (change: Partial<ContactLinkInput>) =>
  codeOf(() => encodeContactLink({ ...base, ...change }));
const decodeCode = (text: string) => codeOf(() => decodeContactLink(text));

describe('contact links: limits', () => {
  it('encodes and decodes input at every limit', () => {
    const input: ContactLinkInput = {
      userPublicKey: key(1),
      displayName: 'é'.repeat(32),
      devices: devices(L.maxDevices, L.maxAddressesPerDevice, L.maxAddressBytes),
      relays: Array.from({ length: L.maxRelays }, () => address(L.maxAddressBytes)),
    };
    const text = encodeContactLink(input);
    expect(text.length).toBe(L.maxLinkLength);
    expect(decodeContactLink(text).devices).toHaveLength(L.maxDevices);
    expect(decodeContactLink(`  ${text}  `).relays).toHaveLength(L.maxRelays);
    expect(decodeCode(text + 'a')).toBe('CONTACT_LINK_MALFORMED');
  });

  it('accepts the smallest input: empty name, one device, no addresses, no relays', () => {
    const text = encodeContactLink({ ...base, displayName: '', devices: devices(1), relays: [] });
    expect(decodeContactLink(text).devices[0]?.addresses).toEqual([]);
  });

  it('refuses to encode input beyond each limit (CONTACT_LINK_INVALID)', () => {
    expect(encodeCode({ userPublicKey: key(1).subarray(1) })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ displayName: 'é'.repeat(32) + 'x' })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ displayName: 'a\ud800' })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ devices: [] })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ devices: devices(L.maxDevices + 1) })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ devices: [...devices(2), ...devices(1)] })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ devices: [{ publicKey: bytesOf(33), addresses: [] }] })).toBe(
      'CONTACT_LINK_INVALID',
    );
    expect(encodeCode({ devices: devices(1, L.maxAddressesPerDevice + 1) })).toBe(
      'CONTACT_LINK_INVALID',
    );
    expect(encodeCode({ devices: devices(1, 1, 0) })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ devices: devices(1, 1, L.maxAddressBytes + 1) })).toBe(
      'CONTACT_LINK_INVALID',
    );
    expect(encodeCode({ relays: Array.from({ length: 9 }, () => address(4)) })).toBe(
      'CONTACT_LINK_INVALID',
    );
    expect(encodeCode({ relays: [new Uint8Array(0)] })).toBe('CONTACT_LINK_INVALID');
    expect(encodeCode({ relays: [address(L.maxAddressBytes + 1)] })).toBe('CONTACT_LINK_INVALID');
  });

  it('decodes a hand-made body of the same fields (the format matches the spec)', () => {
    const link = decodeContactLink(frameCbor(body()));
    expect(link.displayName).toBe('Bob');
    expect(encodeContactLink(link)).toBe(frameCbor(body()));
  });

  it('refuses bodies beyond each limit (CONTACT_LINK_MALFORMED)', () => {
    const dev = (k: Uint8Array, addresses: CborValue[] = []): CborValue => [k, addresses];
    const cases: CborValue[] = [
      body({ 1: key(1).subarray(1) }),
      body({ 2: 'x'.repeat(L.maxDisplayNameBytes + 1) }),
      body({ 3: [] }),
      body({ 3: Array.from({ length: L.maxDevices + 1 }, (_, i) => dev(key(i + 10))) }),
      body({ 3: [dev(key(10)), dev(key(11)), dev(key(10))] }),
      body({ 3: [dev(bytesOf(31))] }),
      body({
        3: [
          dev(
            key(10),
            Array.from({ length: 9 }, () => address(4)),
          ),
        ],
      }),
      body({ 3: [dev(key(10), [new Uint8Array(0)])] }),
      body({ 3: [dev(key(10), [address(L.maxAddressBytes + 1)])] }),
      body({ 3: [[key(10)]] }),
      body({ 4: Array.from({ length: L.maxRelays + 1 }, () => address(4)) }),
      body({ 4: [address(L.maxAddressBytes + 1)] }),
      body({ 4: ['/ip4/1.2.3.4'] }),
      body({ 2: null }),
      body({}, 4),
      [...body(), null],
      body({ 0: '1' }),
      new Map([[1, 1]]),
      1,
    ];
    for (const value of cases) expect(decodeCode(frameCbor(value))).toBe('CONTACT_LINK_MALFORMED');
  });
});

describe('contact links: decode errors', () => {
  it('refuses text that is not a kith: link (CONTACT_LINK_MALFORMED)', () => {
    const valid = frameCbor(body());
    for (const text of [
      '',
      '   ',
      'https://kith.example/add',
      'kith:',
      'kith://' + valid.slice(5),
      'mailto:' + valid.slice(5),
      valid.slice(5),
      valid.replace('a', '1'),
      valid.replace('a', '='),
      valid + '=',
    ]) {
      expect(decodeCode(text)).toBe('CONTACT_LINK_MALFORMED');
    }
    expect(decodeCode(42 as unknown as string)).toBe('CONTACT_LINK_MALFORMED');
  });

  it('explains a malformed link in words and names the field', () => {
    expect(() => decodeContactLink(frameCbor(body({ 1: bytesOf(31) })))).toThrow(
      expect.objectContaining({
        code: 'CONTACT_LINK_MALFORMED',
        message: 'this is not a valid Kith contact link (userPublicKey: 32 bytes expected, got 31)',
      }) as Error,
    );
  });

  it('reports a newer format version as unsupported, whatever its shape', () => {
    expect(decodeCode(frameCbor(body({ 0: 2 })))).toBe('CONTACT_LINK_UNSUPPORTED');
    expect(decodeCode(frameCbor([2]))).toBe('CONTACT_LINK_UNSUPPORTED');
    expect(decodeCode(frameCbor([0x1_0000_0000, 'x']))).toBe('CONTACT_LINK_UNSUPPORTED');
    expect(decodeCode(frameCbor([2n ** 64n - 1n]))).toBe('CONTACT_LINK_UNSUPPORTED');
    // Deeper than a version 1 body may nest: still a newer format, not garbage.
    expect(decodeCode(frameCbor([2, [[[[[[1]]]]]]]))).toBe('CONTACT_LINK_UNSUPPORTED');
    expect(() => decodeContactLink(frameCbor([2]))).toThrow(/newer version of Kith/);
  });

  it('checks the checksum before the version: a damaged newer link is damaged', () => {
    const newer = frameCbor(body({ 0: 2 }));
    expect(decodeCode(newer.slice(0, -1))).toBe('CONTACT_LINK_DAMAGED');
  });

  it('rejects non-canonical CBOR even with a valid checksum', () => {
    expect(decodeCode(frameCbor(body()))).toBe('none');
    const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
    // The elements of a short array without its one-byte head.
    const items = (values: CborValue[]) => encodeCbor(values).subarray(1);
    const variants = [
      // The version 1 written as 0x18 0x01 instead of 0x01.
      concatBytes(hex('851801'), items(body().slice(1))),
      // The user key's length written in two bytes (0x59 0x0020) instead of one (0x58 0x20).
      concatBytes(hex('8501590020'), key(1), items(body().slice(2))),
      // An indefinite-length outer array.
      concatBytes(hex('9f'), items(body()), hex('ff')),
      // A byte after the body.
      concatBytes(encodeCbor(body()), hex('00')),
    ];
    for (const variant of variants) {
      expect(decodeCode(frame(variant))).toBe('CONTACT_LINK_MALFORMED');
    }
  });
});
