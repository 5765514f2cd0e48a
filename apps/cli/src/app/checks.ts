import { decodeContactLink, type UserId } from '@kith/core';
import type { Contact, KithNode } from '@kith/node';
import { AppError } from './app-error.ts';

/** One emoji (with its modifiers, a flag, a keycap): what a reaction is. */
const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Refuses a reaction that is not one emoji: "notanemoji" would show as a reaction to everyone. */
export function checkEmoji(emoji: string): void {
  const parts = [...graphemes.segment(emoji)];
  if (parts.length !== 1 || !EMOJI.test(emoji)) {
    throw new AppError('INVALID_PARAMS', `"${emoji}" is not an emoji: react with one, such as 👍`);
  }
}

/** Refuses a DM with oneself in words a person understands (the engine's are about key packages). */
export function checkDmPartner(user: UserId, me: UserId): void {
  if (user === me) {
    throw new AppError('INVALID_PARAMS', 'a DM is with someone else: that user ID is your own');
  }
}

/** Adds a contact from their link; one's own link is refused rather than kept as a contact. */
export function addContact(node: KithNode, link: string): Promise<Contact> {
  const text = link.trim();
  if (decodeContactLink(text).userId === node.userId) {
    return Promise.reject(
      new AppError('INVALID_PARAMS', 'that is your own contact link: share it with others'),
    );
  }
  return node.addContact(text);
}
