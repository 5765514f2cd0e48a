import fc from 'fast-check';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { concatBytes, toHex } from '../../src/crypto/bytes.ts';
import { labeledHash } from '../../src/crypto/hash.ts';
import type { ContactLinkInput } from '../../src/contacts/contact-link.ts';
import { base32Encode } from '../../src/identity/base32.ts';

/** The text of a link with this raw body, written from the spec (not through the codec). */
export function frame(body: Uint8Array): string {
  const checksum = labeledHash('kith/contact-link/v1', body).subarray(0, 4);
  return 'kith:' + base32Encode(concatBytes(body, checksum));
}

/** A correctly checksummed link around the deterministic CBOR of `value`. */
export function frameCbor(value: CborValue): string {
  return frame(encodeCbor(value));
}

/** Runs `f`; returns the `code` of what it threw (or 'none'). */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'none';
}

export const bytesOf = (length: number, fill = 1): Uint8Array => new Uint8Array(length).fill(fill);

export const key = (fill: number): Uint8Array => bytesOf(32, fill);

const exactBytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const addressArb = fc.uint8Array({ minLength: 1, maxLength: 40 });

/** Names of at most 64 UTF-8 bytes, any script. */
const nameArb = fc
  .string({ unit: 'grapheme', maxLength: 24 })
  .filter((name) => new TextEncoder().encode(name).length <= 64);

/** Valid inputs, kept small so a property run stays quick (the limits have their own tests). */
export const inputArb: fc.Arbitrary<ContactLinkInput> = fc.record({
  userPublicKey: exactBytes(32),
  displayName: nameArb,
  devices: fc.uniqueArray(
    fc.record({
      publicKey: exactBytes(32),
      addresses: fc.array(addressArb, { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 3, selector: (device) => toHex(device.publicKey) },
  ),
  relays: fc.array(addressArb, { maxLength: 3 }),
});

/** A binary multiaddr /ip4/a.b.c.d/tcp/port (codes 4 and 6, both one-byte varints). */
export function ip4Tcp(ip: readonly number[], port: number): Uint8Array {
  return Uint8Array.of(0x04, ...ip, 0x06, port >> 8, port & 0xff);
}

/** A binary multiaddr /ip4/a.b.c.d/udp/port/quic-v1 (udp 273 and quic-v1 460 as varints). */
export function ip4Quic(ip: readonly number[], port: number): Uint8Array {
  return Uint8Array.of(0x04, ...ip, 0x91, 0x02, port >> 8, port & 0xff, 0xcc, 0x03);
}
