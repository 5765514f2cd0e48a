import { KithError } from '../errors.ts';

/** Why a contact link could not be made or read. */
export type ContactLinkErrorCode =
  /** `encodeContactLink` was given input outside `ContactLinkLimits` (a programming error). */
  | 'CONTACT_LINK_INVALID'
  /** Not a `kith:` link, characters a link never has, bad CBOR or shape, or limits exceeded. */
  | 'CONTACT_LINK_MALFORMED'
  /** The checksum does not match: a character is wrong or missing (a typo or truncation). */
  | 'CONTACT_LINK_DAMAGED'
  /** A link in a newer format version than this build reads. */
  | 'CONTACT_LINK_UNSUPPORTED';

/**
 * A contact link that cannot be made or read. Decode messages are written for the person who
 * pasted or scanned the link, since apps will often show them as they are.
 */
export class ContactLinkError extends KithError<ContactLinkErrorCode> {
  override readonly name = 'ContactLinkError';
}

export function malformedLink(detail: string, options?: { cause?: unknown }): ContactLinkError {
  return new ContactLinkError(
    'CONTACT_LINK_MALFORMED',
    `this is not a valid Kith contact link (${detail})`,
    options,
  );
}

export function damagedLink(): ContactLinkError {
  return new ContactLinkError(
    'CONTACT_LINK_DAMAGED',
    'this contact link is damaged (a character is wrong or missing): ask for it again',
  );
}

export function unsupportedLink(version: number | bigint, supported: number): ContactLinkError {
  return new ContactLinkError(
    'CONTACT_LINK_UNSUPPORTED',
    `this contact link was made by a newer version of Kith (link format ${version}, ` +
      `this version reads format ${supported}): update Kith to use it`,
  );
}

export function invalidInput(detail: string): ContactLinkError {
  return new ContactLinkError('CONTACT_LINK_INVALID', `cannot make a contact link: ${detail}`);
}
