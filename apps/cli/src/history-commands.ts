// `kith import FILE` and `kith export ROOM FILE`: the daemon's importHistory and exportHistory
// with paths resolved here (the daemon runs elsewhere) and a progress line while importing.
import { resolve } from 'node:path';
import { lastFlag, type CommandLine } from './args.ts';
import { callDaemon } from './rpc/rpc-client.ts';

const POLL_MS = 250;

export const HISTORY_USAGE = `  kith [--data-dir DIR] import FILE [--format matrix|kith|telegram] [--room ROOM_ID | --name NAME]
      Import history through the running daemon: a Matrix room export (Element's JSON export,
      or a JSON array of events; the default), a Kith export or a Telegram Desktop JSON export
      (result.json; a whole account's export makes one room per chat), into a room of yours or
      a new room (named NAME, else after the exported room). Imported messages show who wrote
      them first and when; media is imported as a text line with its name or link.
  kith [--data-dir DIR] export ROOM_ID FILE [--format kith|matrix]
      Write a room's history to FILE as a Kith export (JSON lines, the default), which import
      --format kith reads back, or as Matrix events in Element's JSON export layout.
`;

/** Runs `import` or `export`; returns what to print. `usage` reports a wrong command line. */
export async function runHistoryCommand(
  dataDir: string,
  line: CommandLine,
  usage: (message: string) => Error,
): Promise<string> {
  const json = line.flags.has('json');
  if (line.command === 'export') {
    const [room, file] = line.extra;
    if (room === undefined || file === undefined) {
      throw usage('usage: kith export ROOM_ID FILE [--format kith|matrix]');
    }
    const format = lastFlag(line, 'format');
    const result = (await callDaemon(dataDir, 'exportHistory', {
      roomId: room,
      path: resolve(file),
      ...(format === undefined ? {} : { format }),
    })) as { messages: number };
    const what = format === 'matrix' ? 'Matrix events' : 'messages';
    return json
      ? `${JSON.stringify(result)}\n`
      : `exported ${result.messages} ${what} to ${file}\n`;
  }
  const [file] = line.extra;
  if (file === undefined)
    throw usage('usage: kith import FILE [--format matrix|kith|telegram] [--room ID]');
  const format = lastFlag(line, 'format') ?? 'matrix';
  const roomId = lastFlag(line, 'room');
  const name = lastFlag(line, 'name');
  const params = {
    path: resolve(file),
    format,
    ...(roomId === undefined ? {} : { roomId }),
    ...(name === undefined ? {} : { name }),
  };
  const stopProgress = showProgress(dataDir);
  let result: ImportAnswer;
  try {
    result = (await callDaemon(dataDir, 'importHistory', params)) as ImportAnswer;
  } finally {
    stopProgress();
  }
  if (json) return `${JSON.stringify(result, null, 2)}\n`;
  const reasons = Object.entries(result.skippedBy)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  const rooms = (result.rooms ?? []).map(
    (r) => `  ${r.roomId} ${r.name}: ${r.imported} messages\n`,
  );
  return (
    (rooms.length > 0 ? `imported ${rooms.length} chats:\n${rooms.join('')}` : '') +
    `imported ${result.imported} messages into ${rooms.length > 0 ? `${rooms.length} rooms` : result.roomId}` +
    (result.skipped > 0 ? ` (skipped ${result.skipped}: ${reasons})` : '') +
    '\n'
  );
}

interface ImportAnswer {
  readonly roomId: string;
  readonly imported: number;
  readonly skipped: number;
  readonly skippedBy: Record<string, number>;
  readonly rooms?: readonly { roomId: string; name: string; imported: number }[];
}

/** A line on a terminal's stderr, rewritten as the daemon reports progress. */
function showProgress(dataDir: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  let shown = false;
  const timer = setInterval(() => {
    callDaemon(dataDir, 'importStatus', {})
      .then((s) => {
        const status = s as { active: boolean; done: number; total: number };
        if (!status.active || status.total === 0) return;
        shown = true;
        process.stderr.write(`\rimporting: ${status.done} of ${status.total}`);
      })
      .catch(() => undefined);
  }, POLL_MS);
  return () => {
    clearInterval(timer);
    if (shown) process.stderr.write('\r\x1b[K');
  };
}
