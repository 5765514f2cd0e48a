import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files that describe a running relay, for operators and scripts: DIR/multiaddrs (its dialable
 * addresses, one per line) and DIR/http-address (the URL of /health and /metrics). They are
 * written once the relay is ready and removed when it stops, so their presence means "running"
 * (after a crash they stay until the next start replaces them).
 */
const MULTIADDRS_FILE = 'multiaddrs';
const HTTP_ADDRESS_FILE = 'http-address';

export async function writeStateFiles(
  dataDir: string,
  multiaddrs: readonly string[],
  httpUrl: string | undefined,
): Promise<void> {
  if (httpUrl !== undefined)
    await writeAtomically(join(dataDir, HTTP_ADDRESS_FILE), `${httpUrl}\n`);
  // Last: a script that waits for this file finds everything else in place.
  await writeAtomically(join(dataDir, MULTIADDRS_FILE), `${multiaddrs.join('\n')}\n`);
}

export async function removeStateFiles(dataDir: string): Promise<void> {
  await rm(join(dataDir, MULTIADDRS_FILE), { force: true });
  await rm(join(dataDir, HTTP_ADDRESS_FILE), { force: true });
}

/** Readers see the old file or the new one, never half of one. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const tmp = `${path}.new`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}
