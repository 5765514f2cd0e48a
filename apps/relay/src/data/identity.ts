import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RelayError, describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';

const IDENTITY_FILE = 'identity';

/**
 * The relay's libp2p key, kept in DIR/identity (protobuf-encoded, mode 0600) and created on the
 * first start. Devices and conversations remember a relay by its peer ID, so losing this file
 * means telling everyone a new address: back it up. Called with the database lock held, so no
 * other relay writes it at the same time.
 */
export async function loadIdentity(
  dataDir: string,
  log: Logger,
): Promise<{ key: Ed25519PrivateKey; created: boolean }> {
  const path = join(dataDir, IDENTITY_FILE);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new RelayError('IDENTITY_UNUSABLE', `cannot read ${path}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }
  if (bytes === undefined) return { key: await createIdentity(path), created: true };
  let key;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (cause) {
    throw unusable(path, `it is not a libp2p private key (${describeError(cause)})`, cause);
  }
  if (key.type !== 'Ed25519') throw unusable(path, `it holds a ${key.type} key, not Ed25519`);
  if (((await stat(path)).mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    log.warn('the identity file was readable by others: made it readable by this user only', {
      path,
    });
  }
  return { key, created: false };
}

async function createIdentity(path: string): Promise<Ed25519PrivateKey> {
  const key = await generateKeyPair('Ed25519');
  const tmp = `${path}.new`;
  try {
    // A half-written file from a crash during a first start is of no use to anyone.
    await rm(tmp, { force: true });
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(privateKeyToProtobuf(key));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    throw new RelayError('IDENTITY_UNUSABLE', `cannot write ${path}: ${describeError(cause)}`, {
      cause,
    });
  }
  return key;
}

function unusable(path: string, why: string, cause?: unknown): RelayError {
  return new RelayError(
    'IDENTITY_UNUSABLE',
    `${path} is unusable: ${why}. Restore it from a backup, or move it away to start as a new peer (devices must then be given the new addresses)`,
    { cause },
  );
}
