import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactLinkForQr,
  ContactLinkError,
  decodeContactLink,
  encodeContactLink,
  type ContactLinkInput,
} from '../../src/contacts/contact-link.ts';
import { deviceIdFromPublicKey, userIdFromPublicKey } from '../../src/identity/user-id.ts';
import { codeOf, inputArb, ip4Quic, ip4Tcp, key } from './helpers.ts';

const alice: ContactLinkInput = {
  userPublicKey: key(1),
  displayName: 'Alice',
  devices: [
    {
      publicKey: key(2),
      addresses: [ip4Tcp([192, 168, 1, 10], 4001), ip4Quic([203, 0, 113, 7], 4001)],
    },
  ],
  relays: [],
};

function expectSameContent(decoded: ContactLinkInput, input: ContactLinkInput): void {
  expect(decoded.userPublicKey).toEqual(input.userPublicKey);
  expect(decoded.displayName).toBe(input.displayName);
  expect(decoded.devices.map((d) => [d.publicKey, d.addresses])).toEqual(
    input.devices.map((d) => [d.publicKey, d.addresses]),
  );
  expect(decoded.relays).toEqual(input.relays);
}

describe('contact links: round trip', () => {
  it('decodes what it encodes, with the derived IDs, and re-encodes to the same text', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const text = encodeContactLink(input);
        expect(text).toMatch(/^kith:[a-z2-7]+$/);
        const link = decodeContactLink(text);
        expectSameContent(link, input);
        expect(link.userId).toBe(userIdFromPublicKey(input.userPublicKey));
        expect(link.devices.map((d) => d.deviceId)).toEqual(
          input.devices.map((d) => deviceIdFromPublicKey(d.publicKey)),
        );
        expect(encodeContactLink(link)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the wire format: a known input gives a known link', () => {
    const text = encodeContactLink(alice);
    expect(text).toBe(KNOWN_ALICE);
  });

  it('makes a one-device, two-address link under 200 characters', () => {
    const text = encodeContactLink(alice);
    expect(text.length).toBeLessThan(200);
    expect(text.length).toBe(KNOWN_ALICE.length);
  });
});

describe('contact links: text forms', () => {
  const text = encodeContactLink(alice);

  it('decodes the uppercase (QR) form and any mix of cases', () => {
    const qr = contactLinkForQr(text);
    expect(qr).toBe(text.toUpperCase());
    expect(qr).toMatch(/^KITH:[A-Z2-7]+$/);
    expectSameContent(decodeContactLink(qr), alice);
    const mixed = Array.from(text, (c, i) => (i % 3 === 0 ? c.toUpperCase() : c)).join('');
    expectSameContent(decodeContactLink(mixed), alice);
    expectSameContent(decodeContactLink('Kith:' + text.slice(5)), alice);
  });

  it('gives the QR form of a pasted link (trimmed), and refuses a broken one', () => {
    expect(contactLinkForQr(`  ${text}\n`)).toBe(text.toUpperCase());
    expect(codeOf(() => contactLinkForQr(text.slice(0, -1)))).toBe('CONTACT_LINK_DAMAGED');
  });

  it('ignores surrounding whitespace but not whitespace inside', () => {
    expectSameContent(decodeContactLink(` \t\n${text}\r\n\u00a0`), alice);
    const inner = text.slice(0, 20) + ' ' + text.slice(20);
    expect(codeOf(() => decodeContactLink(inner))).toBe('CONTACT_LINK_MALFORMED');
  });

  it('accepts only ASCII letters (the Kelvin sign lowercases to k)', () => {
    expect(codeOf(() => decodeContactLink('\u212aith:' + text.slice(5)))).toBe(
      'CONTACT_LINK_MALFORMED',
    );
  });
});

describe('contact links: damage', () => {
  const text = encodeContactLink(alice);
  const body = text.slice(5);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

  it('reports one changed character as damaged, with a message a person understands', () => {
    const changed = 'kith:' + body.slice(0, 10) + (body[10] === 'a' ? 'b' : 'a') + body.slice(11);
    const error = (() => {
      try {
        decodeContactLink(changed);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ContactLinkError);
    expect((error as ContactLinkError).code).toBe('CONTACT_LINK_DAMAGED');
    expect((error as ContactLinkError).name).toBe('ContactLinkError');
    expect((error as ContactLinkError).message).toBe(
      'this contact link is damaged (a character is wrong or missing): ask for it again',
    );
  });

  it('reports every truncation as damaged', () => {
    for (let length = 1; length < body.length; length++) {
      expect(codeOf(() => decodeContactLink('kith:' + body.slice(0, length)))).toBe(
        'CONTACT_LINK_DAMAGED',
      );
    }
  });

  it('reports every substitution of a base32 character as damaged', () => {
    for (let i = 0; i < body.length; i++) {
      for (const c of alphabet) {
        if (c === body[i]) continue;
        const changed = 'kith:' + body.slice(0, i) + c + body.slice(i + 1);
        expect(codeOf(() => decodeContactLink(changed))).toBe('CONTACT_LINK_DAMAGED');
      }
    }
  });

  it('never turns one substituted character into another valid link (property)', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        (input, at, replacement) => {
          const link = encodeContactLink(input);
          const i = 5 + (at % (link.length - 5));
          fc.pre(replacement.toLowerCase() !== link[i]);
          const changed = link.slice(0, i) + replacement + link.slice(i + 1);
          expect(['CONTACT_LINK_DAMAGED', 'CONTACT_LINK_MALFORMED']).toContain(
            codeOf(() => decodeContactLink(changed)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

/**
 * `encodeContactLink(alice)`, pinned so a change of the wire format fails here; checked once
 * against cbor2 and node:crypto built from the spec text.
 */
const KNOWN_ALICE =
  'kith:quavqiabaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibafsuc3djmnsydasyeabaeaqcaibaeaq' +
  'caibaeaqcaibaeaqcaibaeaqcaibaeaqcaibafasiatakqaikayh2csyezmahcb4raih2dtadqdpim3bt';
