import { randomBytes } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files in the data directory through which a shell finds and authenticates to the daemon. */
const RPC_PORT_FILE = 'rpc-port';
const RPC_TOKEN_FILE = 'rpc-token';

/** A new random token, written readable by this user only. */
export async function writeToken(dataDir: string): Promise<string> {
  const token = randomBytes(32).toString('hex');
  const path = join(dataDir, RPC_TOKEN_FILE);
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file: make sure of it either way.
  await chmod(path, 0o600);
  return token;
}

export async function writePort(dataDir: string, port: number): Promise<void> {
  await writeFile(join(dataDir, RPC_PORT_FILE), `${port}\n`);
}

export async function removePort(dataDir: string): Promise<void> {
  await rm(join(dataDir, RPC_PORT_FILE), { force: true });
}

/** The running daemon's port and token, or undefined when none is running. */
export async function readCredentials(
  dataDir: string,
): Promise<{ port: number; token: string } | undefined> {
  try {
    const port = Number((await readFile(join(dataDir, RPC_PORT_FILE), 'utf8')).trim());
    const token = (await readFile(join(dataDir, RPC_TOKEN_FILE), 'utf8')).trim();
    return Number.isInteger(port) && port > 0 && token !== '' ? { port, token } : undefined;
  } catch {
    return undefined;
  }
}
