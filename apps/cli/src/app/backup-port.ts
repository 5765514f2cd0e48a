import { writeFile } from 'node:fs/promises';
import { backupDevice, type KithNode } from '@kith/node';
import { AppError } from './app-error.ts';

/** What `backup` wrote. */
export interface BackupResult {
  readonly bytes: number;
  readonly rooms: number;
  readonly contacts: number;
}

/**
 * Writes the device's encrypted backup (docs/PROTOCOL.md §6.4) to `path`, readable by the
 * user only. The passphrase goes through scrypt with the format's default parameters.
 */
export async function writeBackup(
  node: KithNode,
  path: string,
  passphrase: string,
): Promise<BackupResult> {
  if (passphrase.length < 8) {
    throw new AppError('INVALID_PARAMS', 'a backup passphrase has at least 8 characters');
  }
  const file = await backupDevice(node, passphrase, { now: Date.now() });
  try {
    await writeFile(path, file, { mode: 0o600 });
  } catch (cause) {
    throw new AppError('INVALID_PARAMS', `cannot write ${path}: ${String(cause)}`, { cause });
  }
  return {
    bytes: file.length,
    rooms: node.client.rooms().filter((r) => r.active).length,
    contacts: node.contacts().length,
  };
}
