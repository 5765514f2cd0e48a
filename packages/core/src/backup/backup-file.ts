import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { CborError } from '../cbor/errors.ts';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { RandomPort } from '../ports/random.ts';
import { decodeBackupBody, encodeBackupBody, type BackupBody } from './backup-body.ts';
import { BackupError } from './errors.ts';

/**
 * A Kith backup file (docs/PROTOCOL.md §6.4):
 *
 *     "KITHBACKUP" | version (1 byte) | header length (2 bytes, big-endian) | header | sealed body
 *
 * The header is deterministic CBOR `["scrypt", logN, r, p, salt, "xchacha20poly1305", nonce]`.
 * The key is scrypt(passphrase in NFC UTF-8, salt, N = 2^logN, r, p) (32 bytes); the body is
 * deterministic CBOR (`encodeBackupBody`) sealed with XChaCha20-Poly1305 under that key and the
 * nonce, with every byte before it (magic, version, header) as associated data.
 */
export const BACKUP_MAGIC = 'KITHBACKUP';
/** The backup format version this writes and the only one it reads (the byte after the magic). */
export const BACKUP_VERSION = 1;

/** The scrypt parameters a file names; the salt is fresh per file. */
export interface BackupKdfParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Key derivation bounds for backup files: what a new backup uses, the floor a file must meet so it
 * is not cheap to guess, and ceilings so a hostile file cannot exhaust a restore.
 */
export const BackupLimits = {
  /** What a new backup uses: 128 MiB of memory per guess (N = 2^17, r = 8). */
  defaultKdf: { logN: 17, r: 8, p: 1 } as BackupKdfParams,
  /**
   * The floor a file must meet: 32 MiB per guess (N = 2^15, r = 8, p = 1). A file below it is
   * refused before any work, so nobody can be handed a backup that is cheap to guess.
   */
  minKdf: { logN: 15, r: 8, p: 1 } as BackupKdfParams,
  /** The ceiling: a hostile file may not make a restore take more than 1 GiB. */
  maxKdfMemoryBytes: 1024 * 1024 * 1024,
  maxLogN: 22,
  maxR: 32,
  maxP: 16,
  /** The largest file `openBackup` reads. */
  maxFileBytes: 512 * 1024 * 1024,
} as const;

const KDF = 'scrypt';
const AEAD = 'xchacha20poly1305';
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const PREFIX = BACKUP_MAGIC.length + 3;

const shape = new ShapeReader(
  (path, message) => new BackupError('BACKUP_MALFORMED', `header ${path}: ${message}`),
);

/** Seals `body` under `passphrase`; refuses parameters outside the limits (a RangeError). */
export async function sealBackup(
  body: BackupBody,
  passphrase: string,
  random: RandomPort,
  kdf: BackupKdfParams = BackupLimits.defaultKdf,
): Promise<Uint8Array> {
  const why = kdfProblem(kdf);
  if (why !== undefined) throw new RangeError(`backup key derivation: ${why}`);
  return sealWith(body, passphrase, random, kdf);
}

/**
 * Without the limit check, for tests that need a file an honest writer would not make.
 * Not exported from the package.
 */
export async function sealWith(
  body: BackupBody,
  passphrase: string,
  random: RandomPort,
  kdf: BackupKdfParams,
): Promise<Uint8Array> {
  const salt = random.bytes(SALT_BYTES);
  const nonce = random.bytes(NONCE_BYTES);
  const header = encodeCbor([KDF, kdf.logN, kdf.r, kdf.p, salt, AEAD, nonce]);
  const aad = new Uint8Array(PREFIX + header.length);
  aad.set(new TextEncoder().encode(BACKUP_MAGIC));
  aad[BACKUP_MAGIC.length] = BACKUP_VERSION;
  aad[BACKUP_MAGIC.length + 1] = header.length >> 8;
  aad[BACKUP_MAGIC.length + 2] = header.length & 0xff;
  aad.set(header, PREFIX);
  const key = await deriveKey(passphrase, salt, kdf);
  const sealed = xchacha20poly1305(key, nonce, aad).encrypt(encodeBackupBody(body));
  key.fill(0);
  const out = new Uint8Array(aad.length + sealed.length);
  out.set(aad);
  out.set(sealed, aad.length);
  return out;
}

/**
 * Opens a backup file: checks the magic, version and header, refuses key derivation
 * parameters outside the limits before deriving anything, then opens the body (a wrong
 * passphrase and a damaged file both fail the tag: BACKUP_DECRYPT_FAILED) and reads it.
 * Every refusal is a BackupError; nothing is returned from a file that fails any check.
 */
export async function openBackup(file: Uint8Array, passphrase: string): Promise<BackupBody> {
  if (file.length > BackupLimits.maxFileBytes) {
    throw new BackupError('BACKUP_TOO_LARGE', 'the file is larger than a backup may be');
  }
  const magic = new TextDecoder().decode(file.subarray(0, BACKUP_MAGIC.length));
  if (file.length < PREFIX || magic !== BACKUP_MAGIC) {
    throw new BackupError('BACKUP_NOT_KITH', 'not a Kith backup file');
  }
  const version = file[BACKUP_MAGIC.length];
  if (version !== BACKUP_VERSION) {
    throw new BackupError(
      'BACKUP_UNSUPPORTED_VERSION',
      `backup format version ${version} (this reads version ${BACKUP_VERSION})`,
    );
  }
  const headerLength = ((file[PREFIX - 2] ?? 0) << 8) | (file[PREFIX - 1] ?? 0);
  if (file.length < PREFIX + headerLength) {
    throw new BackupError('BACKUP_NOT_KITH', 'the file ends inside its header');
  }
  const header = readHeader(file.subarray(PREFIX, PREFIX + headerLength));
  const why = kdfProblem(header.kdf);
  if (why !== undefined) throw new BackupError('BACKUP_WEAK_KDF', `refused: ${why}`);
  const aad = file.subarray(0, PREFIX + headerLength);
  const key = await deriveKey(passphrase, header.salt, header.kdf);
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(key, header.nonce, aad).decrypt(file.subarray(aad.length));
  } catch (cause) {
    throw new BackupError(
      'BACKUP_DECRYPT_FAILED',
      'the backup does not open: a wrong passphrase, or a damaged file',
      { cause },
    );
  } finally {
    key.fill(0);
  }
  return decodeBackupBody(plain);
}

function readHeader(bytes: Uint8Array): {
  kdf: BackupKdfParams;
  salt: Uint8Array;
  nonce: Uint8Array;
} {
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (cause) {
    if (!(cause instanceof CborError)) throw cause;
    throw new BackupError('BACKUP_MALFORMED', `header: ${cause.message}`, { cause });
  }
  const [kdf, logN, r, p, salt, aead, nonce] = shape.array(value, 'header', 7);
  if (kdf !== KDF) shape.fail('kdf', `"${KDF}" expected`);
  if (aead !== AEAD) shape.fail('aead', `"${AEAD}" expected`);
  return {
    kdf: {
      logN: shape.uint(logN, 'logN', 64),
      r: shape.uint(r, 'r', 1024),
      p: shape.uint(p, 'p', 1024),
    },
    salt: shape.bytes(salt, 'salt', SALT_BYTES),
    nonce: shape.bytes(nonce, 'nonce', NONCE_BYTES),
  };
}

/** Why the parameters are outside the limits, or undefined when they are within. */
function kdfProblem(kdf: BackupKdfParams): string | undefined {
  const min = BackupLimits.minKdf;
  if (kdf.logN < min.logN || kdf.r < min.r || kdf.p < min.p) {
    return `scrypt N=2^${kdf.logN}, r=${kdf.r}, p=${kdf.p} is below the floor N=2^${min.logN}, r=${min.r}, p=${min.p}`;
  }
  if (
    kdf.logN > BackupLimits.maxLogN ||
    kdf.r > BackupLimits.maxR ||
    kdf.p > BackupLimits.maxP ||
    2 ** kdf.logN * kdf.r * 128 > BackupLimits.maxKdfMemoryBytes
  ) {
    return `scrypt N=2^${kdf.logN}, r=${kdf.r}, p=${kdf.p} needs more than a restore may take`;
  }
  return undefined;
}

function deriveKey(passphrase: string, salt: Uint8Array, kdf: BackupKdfParams) {
  const secret = new TextEncoder().encode(passphrase.normalize('NFC'));
  return scryptAsync(secret, salt, {
    N: 2 ** kdf.logN,
    r: kdf.r,
    p: kdf.p,
    dkLen: 32,
    maxmem: BackupLimits.maxKdfMemoryBytes + 1024 * 1024,
  });
}
