// kith: the command line. `kith` opens the chat, `kith daemon` serves JSON-RPC, and
// `kith METHOD --param value` calls a running daemon or chat (see `kith --help`).
// Only what a command needs is loaded: a one-shot call never loads the engine or libp2p, so it
// starts in a fraction of the time the chat takes.
import { lastFlag, parseCommandLine, UsageError, type CommandLine } from './args.ts';
import { dataDirOf } from './data-dir.ts';
import { closest, isMethodName, METHOD_SPECS } from './rpc/method-specs.ts';
import { methodHelp, shellParams, switchesOf } from './rpc/shell-params.ts';

/** Flags of the chat and of the daemon. */
const DEVICE_FLAGS = [
  'data-dir',
  'name',
  'listen',
  'relay',
  'no-mdns',
  'rpc-port',
  'help',
  'version',
];

async function main(argv: readonly string[]): Promise<number> {
  const line = parseCommandLine(argv, (command) =>
    switchesOf(isMethodName(command) ? METHOD_SPECS[command] : undefined),
  );
  if (line.flags.has('help')) {
    process.stdout.write(await helpFor(line));
    return 0;
  }
  if (line.flags.has('version')) {
    process.stdout.write(`kith ${await version()}\n`);
    return 0;
  }
  const dataDir = dataDirOf(lastFlag(line, 'data-dir'), process.env);
  const command = line.command;
  if (command === undefined || command === 'daemon') {
    const network = networkOf(line);
    const rpcPort = Number(lastFlag(line, 'rpc-port') ?? '0');
    if (!Number.isInteger(rpcPort) || rpcPort < 0 || rpcPort > 65535) {
      throw new UsageError('--rpc-port must be a port number (0 picks a free one)');
    }
    if (command === undefined) {
      const { runChat } = await import('./tui/run-chat.ts');
      await runChat({ dataDir, rpcPort, ...network });
      return 0;
    }
    const { runDaemon } = await import('./daemon/daemon.ts');
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
  if (command === 'import' || command === 'export') {
    const { runHistoryCommand } = await import('./history-commands.ts');
    process.stdout.write(await runHistoryCommand(dataDir, line, (m) => new UsageError(m)));
    return 0;
  }
  if (command === 'restore' || (command === 'backup' && line.extra.length > 0)) {
    const { runBackupCommand } = await import('./backup-commands.ts');
    process.stdout.write(await runBackupCommand(dataDir, line, (m) => new UsageError(m)));
    return 0;
  }
  if (command === 'link') {
    const { runLinkCommand } = await import('./link-commands.ts');
    process.stdout.write(await runLinkCommand(dataDir, line, (m) => new UsageError(m)));
    return 0;
  }
  if (!isMethodName(command)) {
    const guess = closest(command, [
      ...Object.keys(METHOD_SPECS),
      'daemon',
      'import',
      'export',
      'restore',
      'link',
    ]);
    const hint = guess === undefined ? '' : `; did you mean ${guess}?`;
    throw new UsageError(`unknown command "${command}"${hint} (see kith --help)`);
  }
  const params = shellParams(command, METHOD_SPECS[command], line);
  const [{ callDaemon }, { formatResult }] = await Promise.all([
    import('./rpc/rpc-client.ts'),
    import('./rpc/format.ts'),
  ]);
  const result = await callDaemon(dataDir, command, params);
  process.stdout.write(
    line.flags.has('json') ? `${JSON.stringify(result, null, 2)}\n` : formatResult(command, result),
  );
  return 0;
}

/** `kith --help`, or one method's params with `kith --help METHOD` / `kith METHOD --help`. */
async function helpFor(line: CommandLine): Promise<string> {
  const asked = line.command ?? line.flags.get('help')?.find((v) => v !== 'true');
  if (asked !== undefined && isMethodName(asked)) return methodHelp(asked, METHOD_SPECS[asked]);
  const { helpText } = await import('./help.ts');
  return helpText();
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const path = new URL('../package.json', import.meta.url);
  return (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;
}

/** The chat's and the daemon's network options; an option neither takes is named. */
function networkOf(line: CommandLine) {
  const known = DEVICE_FLAGS;
  for (const name of line.flags.keys()) {
    if (known.includes(name)) continue;
    const guess = closest(name, known);
    const hint = guess === undefined ? '' : `; did you mean --${guess}?`;
    const what = line.command ?? 'the chat';
    throw new UsageError(`unknown option --${name} for ${what}${hint} (see kith --help)`);
  }
  const [stray] = line.extra;
  if (stray !== undefined) throw new UsageError(`unexpected "${stray}" (see kith --help)`);
  const addresses = (flag: string): readonly string[] | undefined => {
    const values = line.flags.get(flag);
    const wrong = values?.find((v) => !v.startsWith('/'));
    if (wrong !== undefined) {
      throw new UsageError(
        `--${flag} takes a multiaddr such as /ip4/127.0.0.1/tcp/4011/p2p/12D3KooW…, not "${wrong}"`,
      );
    }
    return values;
  };
  return {
    mdns: !line.flags.has('no-mdns'),
    ...optional('name', lastFlag(line, 'name')),
    ...optional('listen', addresses('listen')),
    ...optional('relays', addresses('relay')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    // The daemon's error code, for scripts that grep for it (RpcCallError, loaded lazily).
    const rpc = error as { name?: unknown; kithCode?: string; code?: number };
    const code = rpc.name === 'RpcCallError' ? ` (${rpc.kithCode ?? String(rpc.code)})` : '';
    process.stderr.write(`kith: ${message}${code}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
