import { KithError } from '../errors.ts';

/** Why the device's database failed: closed, full, or another IO failure. */
export type StorageErrorCode =
  /** The database is closed or closing (or failed to open; see `cause`). */
  | 'STORAGE_CLOSED'
  /** The disk or the origin's storage quota is full. */
  | 'STORAGE_FULL'
  /** Reading or writing failed for another reason (filesystem, IndexedDB, unknown). */
  | 'STORAGE_IO'
  /** Stored data could not be read back: the database is damaged. */
  | 'STORAGE_CORRUPT'
  /** Another process or instance holds the database (classic-level's lock). */
  | 'STORAGE_LOCKED'
  /** A key or value of the wrong type or shape: a programmer error, nothing was written. */
  | 'STORAGE_INVALID';

/** A storage operation failed. The backend's own error, when there is one, is the `cause`. */
export class StorageError extends KithError<StorageErrorCode> {
  override readonly name = 'StorageError';
}

/**
 * abstract-level's error codes (see its README, "Errors"), mapped onto ours. Codes not listed
 * here, and errors without a code, become STORAGE_IO.
 */
const levelCodes: Readonly<Record<string, StorageErrorCode>> = {
  LEVEL_DATABASE_NOT_OPEN: 'STORAGE_CLOSED',
  LEVEL_ITERATOR_NOT_OPEN: 'STORAGE_CLOSED',
  LEVEL_BATCH_NOT_OPEN: 'STORAGE_CLOSED',
  LEVEL_SNAPSHOT_NOT_OPEN: 'STORAGE_CLOSED',
  LEVEL_CORRUPTION: 'STORAGE_CORRUPT',
  LEVEL_DECODE_ERROR: 'STORAGE_CORRUPT',
  LEVEL_IO_ERROR: 'STORAGE_IO',
  LEVEL_LOCKED: 'STORAGE_LOCKED',
  LEVEL_INVALID_KEY: 'STORAGE_INVALID',
  LEVEL_INVALID_VALUE: 'STORAGE_INVALID',
};

/** Longest cause chain we follow; a cyclic chain must not hang us. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Turns whatever a backend threw into a StorageError that keeps the original as `cause`.
 * A full disk is recognised by its message (LevelDB reports it as an IO error) or by the
 * WHATWG QuotaExceededError anywhere in the cause chain (browser-level).
 */
export function toStorageError(error: unknown, operation: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = classify(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(code, `${operation}: ${detail}`, { cause: error });
}

function classify(error: unknown): StorageErrorCode {
  if (isFull(error)) return 'STORAGE_FULL';
  const code = levelCode(error);
  const mapped = code === undefined ? undefined : levelCodes[code];
  if (mapped === 'STORAGE_CLOSED') {
    // A failed open surfaces as LEVEL_DATABASE_NOT_OPEN with the reason as its cause; the
    // reason (a lock held elsewhere, corruption) is what the caller can act on.
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause === undefined ? undefined : levelCodes[levelCode(cause) ?? ''];
    if (inner !== undefined && inner !== 'STORAGE_CLOSED') return inner;
  }
  return mapped ?? 'STORAGE_IO';
}

function levelCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isFull(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null) return false;
    const { name, message, cause } = current as {
      name?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (name === 'QuotaExceededError') return true;
    if (typeof message === 'string' && /no space left|ENOSPC|quota exceeded/i.test(message)) {
      return true;
    }
    current = cause;
  }
  return false;
}
