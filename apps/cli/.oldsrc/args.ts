/** A command line: the command (first bare word) and its `--flags`, repeated ones collected. */
export interface CommandLine {
  readonly command: string | undefined;
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly extra: readonly string[];
}

/** Flags that never take a value. */
const SWITCHES = new Set(['help', 'json', 'no-mdns', 'version', 'dm']);

/**
 * Parses `kith [--flag value]... [command] [--flag value]...`. A switch may also be given a
 * value (`--dm true`); `--flag=value` works too.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
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
    if (SWITCHES.has(name) && !(takesValue && (next === 'true' || next === 'false'))) {
      add(flags, name, 'true');
    } else if (takesValue) {
      add(flags, name, next);
      i++;
    } else {
      throw new Error(`--${name} needs a value`);
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
