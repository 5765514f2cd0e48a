// `kith backup FILE` (through the running daemon) and `kith restore FILE` (on a fresh data
// directory, with no daemon: the restored user key must be there before the device is made).
import { access, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommandLine } from './args.ts';
import { callDaemon } from './rpc/rpc-client.ts';

/** Where scripts put the passphrase; on a terminal it is asked for instead. */
const PASSPHRASE_VARIABLE = 'KITH_BACKUP_PASSPHRASE';

export const BACKUP_USAGE = `  kith [--data-dir DIR] backup FILE
      Write an encrypted backup of this user (user key, contacts, settings, every room's
      history) to FILE through the running daemon. The passphrase is asked for, or read from
      $${PASSPHRASE_VARIABLE}. Keep the file and the passphrase apart: together they are you.
  kith [--data-dir DIR] restore FILE
      Bring a user back from a backup into a fresh data directory (no daemon running on it): the
      same user on a new device, its contacts and settings, and each room's history in a new
      room. Members of the old rooms must add the new device again (invite the user).
`;

/** Runs `backup` or `restore`; returns what to print. `usage` reports a wrong command line. */
export async function runBackupCommand(
  dataDir: string,
  line: CommandLine,
  usage: (message: string) => Error,
): Promise<string> {
  const [file] = line.extra;
  if (file === undefined) throw usage(`usage: kith ${line.command ?? 'backup'} FILE`);
  const json = line.flags.has('json');
  if (line.command === 'backup') {
    const passphrase = await askPassphrase('passphrase for the backup: ', usage);
    if (process.env[PASSPHRASE_VARIABLE] === undefined) {
      const again = await askPassphrase('the same passphrase again: ', usage);
      if (again !== passphrase) throw usage('the passphrases differ: nothing was written');
    }
    const result = (await callDaemon(dataDir, 'backup', {
      path: resolve(file),
      passphrase,
    })) as { bytes: number; rooms: number; contacts: number };
    return json
      ? `${JSON.stringify(result)}\n`
      : `backed up ${result.rooms} rooms and ${result.contacts} contacts to ${file} (${result.bytes} bytes)\n`;
  }
  return restore(dataDir, resolve(file), json, usage);
}

async function restore(
  dataDir: string,
  file: string,
  json: boolean,
  usage: (message: string) => Error,
): Promise<string> {
  const db = join(dataDir, 'db');
  if (await exists(db)) {
    throw usage(`${dataDir} already holds a device: restore into a fresh --data-dir`);
  }
  // Loaded here: `kith backup` only talks to the daemon.
  const [{ openBackup }, { KithNode, restoreDevice }] = await Promise.all([
    import('@kith/core'),
    import('@kith/node'),
  ]);
  const bytes = await readFile(file).catch((cause: unknown) => {
    throw usage(`cannot read ${file}: ${String(cause)}`);
  });
  // A wrong passphrase or a damaged file stops here, before anything is created.
  const body = await openBackup(bytes, await askPassphrase('backup passphrase: ', usage));
  const node = await KithNode.open({
    dataDir,
    restoredUserKey: body.userSecretKey,
    deviceName: hostname().slice(0, 64),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
  let report;
  try {
    report = await restoreDevice(node, body);
  } catch (error) {
    // Half a restore is worse than none: the directory goes back to empty.
    await node.close().catch(() => undefined);
    await rm(db, { recursive: true, force: true });
    throw error;
  }
  await node.close();
  if (json) return `${JSON.stringify(report, null, 2)}\n`;
  return (
    `restored user ${report.userId} on a new device in ${dataDir}: ` +
    `${report.contacts} contacts, ${report.settings} settings, ${report.rooms.length} rooms\n` +
    report.rooms.map((r) => `  ${r.roomId} ${r.name}: ${r.imported} messages\n`).join('') +
    'members of the old rooms see you again once they invite you (your new device)\n'
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The passphrase from the environment, else typed on the terminal without echo. */
async function askPassphrase(prompt: string, usage: (m: string) => Error): Promise<string> {
  const fromEnv = process.env[PASSPHRASE_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const stdin = process.stdin;
  if (!stdin.isTTY)
    throw usage(`no terminal to ask for the passphrase: set ${PASSPHRASE_VARIABLE}`);
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolvePass, reject) => {
      let typed = '';
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolvePass(typed);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(usage('cancelled'));
            return;
          }
          typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
