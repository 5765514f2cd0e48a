/** A command line: the command (first bare word) and its `--flags`, repeated ones collected. */
export interface CommandLine {
  readonly command: string | undefined;
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly extra: readonly string[];
}

/** Flags that never take a value, whatever the command. */
const SWITCHES = new Set(['help', 'json', 'no-mdns', 'version']);

/**
 * Parses `kith [--flag value]... [command] [--flag value]...`. A switch may also be given a
 * value (`--markdown true`); `--flag=value` works too. `switchesOf` names a command's own
 * switches (a method's boolean params).
 */
export function parseCommandLine(
  argv: readonly string[],
  switchesOf: (command: string) => ReadonlySet<string> = () => new Set(),
): CommandLine {
  const flags = new Map<string, string[]>();
  const extra: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '-h') {
      add(flags, 'help', 'true');
      continue;
    }
    if (!token.startsWith('--')) {
      if (command === undefined) command = token;
      else extra.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    if (eq !== -1) {
      add(flags, name, token.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    const takesValue = next !== undefined && !next.startsWith('--');
    const isSwitch = SWITCHES.has(name) || (command !== undefined && switchesOf(command).has(name));
    if (isSwitch && !(takesValue && (next === 'true' || next === 'false'))) {
      add(flags, name, 'true');
    } else if (takesValue) {
      add(flags, name, next);
      i++;
    } else {
      throw new UsageError(`--${name} needs a value`);
    }
  }
  return { command, flags, extra };
}

function add(flags: Map<string, string[]>, name: string, value: string): void {
  const list = flags.get(name) ?? [];
  list.push(value);
  flags.set(name, list);
}

export function lastFlag(line: CommandLine, name: string): string | undefined {
  return line.flags.get(name)?.at(-1);
}

/** A command line that cannot mean anything: said as such, and `kith` exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
