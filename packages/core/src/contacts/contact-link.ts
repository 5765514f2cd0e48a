import { malformedLink } from './errors.ts';
import { decodeLinkBody, encodeLinkBody } from './link-body.ts';
import { linkBody, linkText } from './link-text.ts';
import type { ContactLink, ContactLinkInput } from './model.ts';
import { checkContactLinkInput } from './validate.ts';

export { ContactLinkError, type ContactLinkErrorCode } from './errors.ts';
export { ContactLinkLimits } from './limits.ts';
export type {
  ContactLink,
  ContactLinkDevice,
  ContactLinkDeviceInput,
  ContactLinkInput,
} from './model.ts';

/**
 * A contact link, `kith:` + lowercase base32: how to find and authenticate a user (identity
 * key, display name, devices with their addresses, relays), short enough to paste or show as
 * a QR code. Throws CONTACT_LINK_INVALID for input outside `ContactLinkLimits`.
 */
export function encodeContactLink(input: ContactLinkInput): string {
  checkContactLinkInput(input);
  return linkText(encodeLinkBody(input));
}

/**
 * Reads a contact link in any letter case, ignoring surrounding whitespace. Checks, in order,
 * the text (MALFORMED), the checksum (DAMAGED: a typo or truncation), the format version
 * (UNSUPPORTED) and the contents (MALFORMED). The link proves nothing by itself: it is as
 * trustworthy as the channel it came through, and the keys it names are verified later.
 */
export function decodeContactLink(text: string): ContactLink {
  if (typeof text !== 'string') throw malformedLink('not text');
  return decodeLinkBody(linkBody(text));
}

/**
 * The uppercase form of a link, for a QR code: uppercase letters, digits and `:` fit its
 * alphanumeric mode, about a third smaller than byte mode. Throws as `decodeContactLink` does,
 * so a broken link is never shown.
 */
export function contactLinkForQr(link: string): string {
  decodeContactLink(link);
  return link.trim().toUpperCase();
}
