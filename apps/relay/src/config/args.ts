import { ConfigError } from '../errors.ts';
import { SETTINGS, flagOf } from './settings.ts';

/** Flags that take no value: what to do instead of running. */
const SWITCHES = ['--help', '--version', '--check-config'] as const;
type Switch = (typeof SWITCHES)[number];

/** The flag naming the config file (also KITH_RELAY_CONFIG). */
export const CONFIG_FLAG = '--config';

export interface CommandLine {
  /** Values by flag (`--listen`), in the order given; repeated flags keep every value. */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<Switch>;
}

/** Value flags whose value may be left out (`--web` alone): they then get ''. */
const OPTIONAL_VALUE = new Set(['--web']);

const VALUE_FLAGS = new Set([CONFIG_FLAG, ...Object.values(SETTINGS).map((s) => flagOf(s.key))]);

/** Parses `--flag value`, `--flag=value` and the switches; anything else is a usage error. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const flags = new Map<string, string[]>();
  const switches = new Set<Switch>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '-h') {
      switches.add('--help');
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token : token.slice(0, eq);
    if ((SWITCHES as readonly string[]).includes(name) && eq === -1) {
      switches.add(name as Switch);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) {
      const what = token.startsWith('-')
        ? `unknown option ${name}`
        : `unexpected argument "${token}"`;
      throw new ConfigError(name, `${what}: see kith-relay --help`);
    }
    let value: string | undefined;
    if (eq !== -1) value = token.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (OPTIONAL_VALUE.has(name) && (value === undefined || value.startsWith('-'))) value = '';
      else if (value === undefined || value.startsWith('--')) {
        throw new ConfigError(name, `${name} needs a value: see kith-relay --help`);
      } else i++;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, switches };
}
