import { expiresAt, type MessageOptions } from '../content/builders.ts';
import { ClientError } from './errors.ts';

/** MIMI expiry times are unsigned 32-bit seconds since the UNIX epoch (until 2106). */
const MAX_EXPIRY_SECONDS = 0xffff_ffff;

/**
 * A message's options with a disappearing time `expiresInMs` from `now` (undefined: none). Kith
 * sends the absolute form of MIMI `expires`, rounded up to the second, so every member judges
 * it against the same instant (docs/PROTOCOL.md §6.1).
 */
export function withExpiry(
  base: MessageOptions,
  expiresInMs: number | undefined,
  now: number,
): MessageOptions {
  if (expiresInMs === undefined) return base;
  if (!Number.isSafeInteger(expiresInMs) || expiresInMs <= 0) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `expiresInMs must be a positive whole number of milliseconds, got ${expiresInMs}`,
    );
  }
  const seconds = Math.ceil((now + expiresInMs) / 1000);
  if (seconds > MAX_EXPIRY_SECONDS) {
    throw new ClientError('INVALID_ARGUMENT', 'expiry beyond what MIMI can express (2106)');
  }
  return { ...base, expires: expiresAt(seconds) };
}
