// `kith link LINK`: make a fresh data directory a further device of a user whose other device
// shows LINK (`/link-device` in the chat, or the daemon's createDeviceLink). No daemon: the
// device is made here, then the chat or the daemon runs it.
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CommandLine } from './args.ts';

export const LINK_USAGE = `  kith [--data-dir DIR] link LINK [--name NAME]
      Make a fresh data directory a new device of the user whose other device shows LINK
      (/link-device in its chat). Both devices show a code: confirm on the other device only
      if they match. The new device is then added to every room the user is in.
`;

/** How long `kith link` waits for the rooms the other device is adding it to. */
const JOIN_WAIT_MS = 120_000;

/** Runs `link`; returns what to print. `usage` reports a wrong command line. */
export async function runLinkCommand(
  dataDir: string,
  line: CommandLine,
  usage: (message: string) => Error,
): Promise<string> {
  const [link] = line.extra;
  if (link === undefined) throw usage('usage: kith link LINK [--name NAME]');
  if (await exists(join(dataDir, 'db'))) {
    throw usage(`${dataDir} already holds a device: link into a fresh --data-dir`);
  }
  const name = (line.flags.get('name')?.[0] ?? hostname()).slice(0, 64);
  const { KithNode } = await import('@kith/node');
  const { device, rooms } = await KithNode.link({
    dataDir,
    link,
    deviceName: name,
    mdns: false,
    onCode: (code) => {
      process.stderr.write(
        `code: ${code}\nconfirm on your other device if it shows the same code (it waits for you)\n`,
      );
    },
  });
  try {
    process.stderr.write(`linked: joining ${rooms} rooms...\n`);
    await joinedAll(device, rooms);
    const joined = device.client.rooms().length;
    return line.flags.has('json')
      ? `${JSON.stringify({ userId: device.userId, deviceId: device.deviceId, rooms: joined })}\n`
      : `this is now a device of ${device.userId} (device ${device.deviceId}), in ${joined} of ${rooms} rooms; run kith to chat: history arrives from your other devices\n`;
  } finally {
    await device.close();
  }
}

/** Resolves when the device is in `rooms` rooms, or after JOIN_WAIT_MS. */
function joinedAll(
  device: { client: { rooms(): unknown[]; on(type: 'joined', h: () => void): () => void } },
  rooms: number,
): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const n = device.client.rooms().length;
      process.stderr.write(`  ${n}/${rooms} rooms\n`);
      if (n >= rooms) done();
    };
    const timer = setTimeout(() => {
      done();
    }, JOIN_WAIT_MS);
    const off = device.client.on('joined', check);
    const done = (): void => {
      clearTimeout(timer);
      off();
      resolve();
    };
    check();
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
