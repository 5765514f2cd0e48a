import { describe, expect, it } from 'vitest';
import { KithError } from '../../src/errors.ts';
import { StorageError, toStorageError } from '../../src/storage/errors.ts';

function levelError(code: string, message = code, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code });
}

describe('toStorageError', () => {
  it('maps abstract-level codes and keeps the cause', () => {
    const cases: [unknown, string][] = [
      [levelError('LEVEL_DATABASE_NOT_OPEN'), 'STORAGE_CLOSED'],
      [levelError('LEVEL_ITERATOR_NOT_OPEN'), 'STORAGE_CLOSED'],
      [levelError('LEVEL_CORRUPTION'), 'STORAGE_CORRUPT'],
      [levelError('LEVEL_DECODE_ERROR'), 'STORAGE_CORRUPT'],
      [levelError('LEVEL_IO_ERROR', 'IO error: read failed'), 'STORAGE_IO'],
      [levelError('LEVEL_IO_ERROR', 'IO error: No space left on device'), 'STORAGE_FULL'],
      [levelError('LEVEL_LOCKED'), 'STORAGE_LOCKED'],
      [levelError('LEVEL_INVALID_VALUE'), 'STORAGE_INVALID'],
      [levelError('LEVEL_SOMETHING_NEW'), 'STORAGE_IO'],
      [new TypeError('boom'), 'STORAGE_IO'],
      ['a string', 'STORAGE_IO'],
      [undefined, 'STORAGE_IO'],
    ];
    for (const [error, code] of cases) {
      const mapped = toStorageError(error, 'put k');
      expect(mapped, String(error)).toMatchObject({ name: 'StorageError', code });
      expect(mapped.cause).toBe(error);
      expect(mapped).toBeInstanceOf(KithError);
      expect(mapped.message.startsWith('put k: ')).toBe(true);
    }
  });

  it('names why a database failed to open rather than "not open"', () => {
    const locked = levelError('LEVEL_DATABASE_NOT_OPEN', 'not open', levelError('LEVEL_LOCKED'));
    expect(toStorageError(locked, 'open').code).toBe('STORAGE_LOCKED');
    const corrupt = levelError(
      'LEVEL_DATABASE_NOT_OPEN',
      'not open',
      levelError('LEVEL_CORRUPTION'),
    );
    expect(toStorageError(corrupt, 'open').code).toBe('STORAGE_CORRUPT');
    const plain = levelError('LEVEL_DATABASE_NOT_OPEN', 'not open', new Error('why'));
    expect(toStorageError(plain, 'open').code).toBe('STORAGE_CLOSED');
  });

  it('recognises a browser quota error anywhere in the cause chain', () => {
    const quota = Object.assign(new Error('over quota'), { name: 'QuotaExceededError' });
    const wrapped = levelError(
      'LEVEL_IO_ERROR',
      'transaction aborted',
      levelError('X', 'x', quota),
    );
    expect(toStorageError(wrapped, 'batch').code).toBe('STORAGE_FULL');
  });

  it('survives a cyclic cause chain', () => {
    const a = levelError('LEVEL_IO_ERROR') as Error & { cause: unknown };
    a.cause = a;
    expect(toStorageError(a, 'get').code).toBe('STORAGE_IO');
  });

  it('passes a StorageError through unchanged', () => {
    const error = new StorageError('STORAGE_FULL', 'full');
    expect(toStorageError(error, 'put')).toBe(error);
  });
});
