import { BACKUP_USAGE } from './backup-commands.ts';
import { HISTORY_USAGE } from './history-commands.ts';
import { LINK_USAGE } from './link-commands.ts';
import { METHOD_SPECS, paramsSummary } from './rpc/method-specs.ts';

export function helpText(): string {
  const width = Math.max(...Object.keys(METHOD_SPECS).map((m) => m.length));
  const list = Object.entries(METHOD_SPECS)
    .map(([name, m]) => `  ${name.padEnd(width)}  ${paramsSummary(m).padEnd(34)} ${m.summary}`)
    .join('\n');
  return `kith: a peer-to-peer, end-to-end-encrypted messenger

Usage:
  kith [--data-dir DIR] [--name NAME] [--listen MULTIADDR]... [--relay MULTIADDR]... [--no-mdns]
      [--rpc-port PORT]
      Open the chat in this terminal (creates your identity on first run). It serves the same
      JSON-RPC as the daemon, so scripts drive the device you are using.
  kith [--data-dir DIR] daemon [--rpc-port PORT] [--name NAME] [--listen MULTIADDR]...
      [--relay MULTIADDR]... [--no-mdns]
      Run the device without a screen, serving JSON-RPC 2.0 on http://127.0.0.1:PORT/
      (PORT 0, the default, picks one and writes it to DIR/rpc-port; the bearer token is in
      DIR/rpc-token).
  kith [--data-dir DIR] METHOD [--PARAM VALUE]... [--json]
      Call the running daemon or chat, e.g. kith send --roomId R --text hello --markdown
      (kith --help METHOD lists its params and their types). Scripts follow what happens
      with GET http://127.0.0.1:PORT/events (Server-Sent Events, same token).
${HISTORY_USAGE}${BACKUP_USAGE}${LINK_USAGE}
The data directory is --data-dir, else $KITH_DATA_DIR, else $XDG_DATA_HOME/kith, else
~/.local/share/kith. --members takes user IDs separated by commas or repeated.

Methods (JSON-RPC names and params):
${list}
`;
}
