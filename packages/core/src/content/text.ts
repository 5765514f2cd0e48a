import { ContentError } from './errors.ts';

const encoder = new TextEncoder();

/** JavaScript strings can hold lone surrogates, which have no UTF-8 form. */
export function checkWellFormed(text: string, path: string): void {
  if (/\p{Cs}/u.test(text)) {
    throw new ContentError('CONTENT_INVALID_TEXT', path, 'text contains a lone surrogate');
  }
}

/** UTF-8 bytes of `text`, refusing lone surrogates instead of replacing them with U+FFFD. */
export function encodeUtf8(text: string, path: string): Uint8Array {
  checkWellFormed(text, path);
  return encoder.encode(text);
}
