import { bytesEqual, concatBytes } from '../crypto/bytes.ts';
import { labeledHash } from '../crypto/hash.ts';
import { base32Decode, base32Encode } from '../identity/base32.ts';
import { damagedLink, malformedLink } from './errors.ts';
import { ContactLinkLimits } from './limits.ts';

/**
 * The text form of a contact link: `kith:` + base32(body || checksum). Base32 because it
 * survives copy and paste, chat apps and being read aloud, and its uppercase form fits a QR
 * code's compact alphanumeric mode.
 */
const SCHEME = 'kith:';

/**
 * Names the checksum, not the body format: later formats keep it, so an older reader can tell
 * a newer link (unsupported) from a damaged one.
 */
const CHECKSUM_LABEL = 'kith/contact-link/v1';

const BASE32_ONLY = /^[a-z2-7]*$/;

function checksum(body: Uint8Array): Uint8Array {
  return labeledHash(CHECKSUM_LABEL, body).subarray(0, ContactLinkLimits.checksumBytes);
}

/** The lowercase text of a link whose body is `body`. */
export function linkText(body: Uint8Array): string {
  return SCHEME + base32Encode(concatBytes(body, checksum(body)));
}

/**
 * The body of a link's text, its checksum verified. Accepts any letter case (scanned QR codes
 * are uppercase) and surrounding whitespace (pasted text often has some).
 */
export function linkBody(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.length > ContactLinkLimits.maxLinkLength) {
    throw malformedLink(`longer than ${ContactLinkLimits.maxLinkLength} characters`);
  }
  // ASCII letters only: toLowerCase() maps a few other letters (the Kelvin sign K) into ASCII.
  const lower = trimmed.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  if (!lower.startsWith(SCHEME)) throw malformedLink('it does not start with "kith:"');
  const data = lower.slice(SCHEME.length);
  if (data === '') throw malformedLink('nothing follows "kith:"');
  if (!BASE32_ONLY.test(data)) {
    throw malformedLink('it has characters other than letters and the digits 2 to 7');
  }
  // Only the alphabet is left, so an impossible length or stray tail bits can only come from
  // a character that is missing or wrong: damage, like a checksum mismatch.
  const bytes = base32Decode(data);
  if (bytes === undefined || bytes.length <= ContactLinkLimits.checksumBytes) throw damagedLink();
  const split = bytes.length - ContactLinkLimits.checksumBytes;
  const body = bytes.subarray(0, split);
  if (!bytesEqual(bytes.subarray(split), checksum(body))) throw damagedLink();
  return body;
}
