import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { isDatabaseLocked } from '@kith/node';
import { RelayError, describeError } from '../errors.ts';

/**
 * The relay's LevelDB database in DIR/db. Services keep their data in their own sublevel,
 * `db.sublevel(name, { keyEncoding, valueEncoding })`, so their keys never meet.
 */
export type RelayDatabase = ClassicLevel<string, Uint8Array>;

/**
 * The layout of what the relay writes. Raised when a release changes it incompatibly; an older
 * layout is upgraded by the services that own it (2: mailboxes per epoch key, §12.6).
 */
const DATA_FORMAT = 2;

/**
 * Creates the data directory (0700: it holds the relay's private key) and opens the database.
 * LevelDB's lock makes a second relay on the same directory fail, reported as such: two
 * processes serving one identity and one store would each hold half of what devices sent.
 */
export async function openDatabase(dataDir: string): Promise<RelayDatabase> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (!(await stat(dataDir)).isDirectory()) throw new Error('it is not a directory');
  } catch (cause) {
    throw new RelayError(
      'DATA_DIR_UNUSABLE',
      `cannot use ${dataDir} as the data directory: ${describeError(cause)}; choose another with --data-dir`,
      { cause },
    );
  }
  const db: RelayDatabase = new ClassicLevel(join(dataDir, 'db'), {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
  });
  try {
    await db.open();
  } catch (cause) {
    if (isDatabaseLocked(cause)) {
      throw new RelayError(
        'DATA_DIR_IN_USE',
        `another kith-relay is using ${dataDir} (its database is locked): stop that one first, or give this one another --data-dir`,
        { cause },
      );
    }
    throw new RelayError(
      'DATA_DIR_UNUSABLE',
      `cannot open the database in ${join(dataDir, 'db')}: ${describeError(cause)}`,
      { cause },
    );
  }
  try {
    await checkFormat(db, dataDir);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** Refuses a database written by a newer relay, whose layout this one would misread. */
async function checkFormat(db: RelayDatabase, dataDir: string): Promise<void> {
  const meta = db.sublevel('meta', { valueEncoding: 'utf8' });
  const stored = await meta.get('format');
  if (stored === undefined) {
    await meta.put('format', String(DATA_FORMAT));
    return;
  }
  if (Number(stored) < DATA_FORMAT) {
    await meta.put('format', String(DATA_FORMAT));
    return;
  }
  if (Number(stored) > DATA_FORMAT) {
    throw new RelayError(
      'DATA_DIR_TOO_NEW',
      `${dataDir} was written by a newer kith-relay (data format ${stored}, this one knows ${DATA_FORMAT}): run that version, or restore a backup made for this one`,
    );
  }
}
