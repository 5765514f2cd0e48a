// kith: the command line. `kith` opens the chat, `kith daemon` serves JSON-RPC, and
// `kith METHOD --param value` calls a running daemon (see `kith --help`).
import { lastFlag, parseCommandLine, type CommandLine } from './args.ts';
import { dataDirOf } from './data-dir.ts';
import { runDaemon } from './daemon/daemon.ts';
import { methods } from './daemon/methods.ts';
import { helpText } from './help.ts';
import { runHistoryCommand } from './history-commands.ts';
import { formatResult } from './rpc/format.ts';
import { callDaemon, RpcCallError } from './rpc/rpc-client.ts';
import { runChat } from './tui/run-chat.ts';

/** Params given as lists or numbers on the command line; everything else is a string. */
const LIST_PARAMS = new Set(['members']);
const NUMBER_PARAMS = new Set(['limit', 'after', 'timeoutMs']);
const BOOLEAN_PARAMS = new Set(['dm']);
const GLOBAL_FLAGS = new Set(['data-dir', 'json', 'help', 'version']);

async function main(argv: readonly string[]): Promise<number> {
  const line = parseCommandLine(argv);
  if (line.flags.has('help')) {
    process.stdout.write(helpText());
    return 0;
  }
  const dataDir = dataDirOf(lastFlag(line, 'data-dir'), process.env);
  const network = {
    mdns: !line.flags.has('no-mdns'),
    ...optional('name', lastFlag(line, 'name')),
    ...optional('listen', line.flags.get('listen')),
    ...optional('relays', line.flags.get('relay')),
  };
  if (line.command === undefined) {
    await runChat({ dataDir, ...network });
    return 0;
  }
  if (line.command === 'daemon') {
    const rpcPort = Number(lastFlag(line, 'rpc-port') ?? '0');
    if (!Number.isInteger(rpcPort) || rpcPort < 0 || rpcPort > 65535) {
      throw new UsageError('--rpc-port must be a port number (0 picks a free one)');
    }
    await runDaemon({
      dataDir,
      rpcPort,
      ...network,
      log: (text) => {
        process.stderr.write(`${text}\n`);
      },
    });
    return 0;
  }
  if (line.command === 'import' || line.command === 'export') {
    process.stdout.write(await runHistoryCommand(dataDir, line, (m) => new UsageError(m)));
    return 0;
  }
  const method = line.command;
  if (!Object.hasOwn(methods, method)) {
    throw new UsageError(`unknown command "${method}": see kith --help`);
  }
  const result = await callDaemon(dataDir, method, paramsOf(line));
  process.stdout.write(
    line.flags.has('json') ? `${JSON.stringify(result, null, 2)}\n` : formatResult(method, result),
  );
  return 0;
}

function paramsOf(line: CommandLine): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, values] of line.flags) {
    if (GLOBAL_FLAGS.has(name)) continue;
    const last = values.at(-1) ?? '';
    if (LIST_PARAMS.has(name)) params[name] = values.flatMap((v) => v.split(',')).filter(Boolean);
    else if (NUMBER_PARAMS.has(name)) params[name] = Number(last);
    else if (BOOLEAN_PARAMS.has(name)) params[name] = last !== 'false';
    else params[name] = last;
  }
  return params;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RpcCallError ? ` (${error.kithCode ?? error.code})` : '';
    process.stderr.write(`kith: ${message}${code}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
