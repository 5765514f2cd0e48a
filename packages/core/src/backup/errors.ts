import { KithError } from '../errors.ts';

/** Why a backup file was refused. Nothing is restored from a refused file. */
export type BackupErrorCode =
  /** Not a Kith backup file (no magic), or cut before its header ends. */
  | 'BACKUP_NOT_KITH'
  /** A file format version this code does not read. */
  | 'BACKUP_UNSUPPORTED_VERSION'
  /** A header or body field missing or of the wrong type. */
  | 'BACKUP_MALFORMED'
  /** Key derivation parameters below the floor (or above the ceiling) this code accepts. */
  | 'BACKUP_WEAK_KDF'
  /** The AEAD tag does not verify: a wrong passphrase, or a damaged or altered file. */
  | 'BACKUP_DECRYPT_FAILED'
  /** Larger than `BackupLimits.maxFileBytes`. */
  | 'BACKUP_TOO_LARGE';

/** A backup file that cannot be opened (see BackupErrorCode). */
export class BackupError extends KithError<BackupErrorCode> {
  override readonly name = 'BackupError';
}
