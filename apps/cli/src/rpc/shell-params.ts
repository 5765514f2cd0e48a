// `kith METHOD --param value`: the shell's words read as a method's typed params.
import { UsageError, type CommandLine } from '../args.ts';
import { closest, paramsSummary, type MethodSpec, type ParamSpec } from './method-specs.ts';

/** Flags any one-shot call takes besides its method's params. */
const CALL_FLAGS = ['data-dir', 'json', 'help'];

/** The boolean params of a method: on the shell, `--markdown` alone means true. */
export function switchesOf(spec: MethodSpec | undefined): ReadonlySet<string> {
  if (spec === undefined) return new Set();
  return new Set(Object.keys(spec.params).filter((k) => spec.params[k]?.type === 'boolean'));
}

/**
 * The params of `kith METHOD` from its flags, typed by the method's schema. An option the
 * method does not take is named (with the one it most likely meant); so is a value of the
 * wrong type and a required param left out.
 */
export function shellParams(
  method: string,
  spec: MethodSpec,
  line: CommandLine,
): Record<string, unknown> {
  const names = Object.keys(spec.params);
  const help = `see kith --help ${method}`;
  const [stray] = line.extra;
  if (stray !== undefined) {
    throw new UsageError(`unexpected "${stray}": ${method} takes --name value options (${help})`);
  }
  const params: Record<string, unknown> = {};
  for (const [name, values] of line.flags) {
    if (CALL_FLAGS.includes(name)) continue;
    const param = spec.params[name];
    if (param === undefined) {
      const guess = closest(name, [...names, ...CALL_FLAGS]);
      const hint = guess === undefined ? '' : `; did you mean --${guess}?`;
      throw new UsageError(`unknown option --${name} for ${method}${hint} (${help})`);
    }
    params[name] = valueOf(name, param, values);
  }
  const missing = names.filter((n) => spec.params[n]?.optional !== true && !(n in params));
  if (missing.length > 0) {
    const list = missing.map((n) => `--${n}`).join(', ');
    throw new UsageError(`${method} needs ${list} (${help})`);
  }
  return params;
}

function valueOf(name: string, param: ParamSpec, values: readonly string[]): unknown {
  if (param.type === 'userIds') return values.flatMap((v) => v.split(',')).filter(Boolean);
  if (values.length > 1) throw new UsageError(`--${name} is given ${values.length} times`);
  const value = values[0] ?? '';
  switch (param.type) {
    case 'boolean':
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw new UsageError(`--${name} takes true or false, not "${value}"`);
    case 'count':
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw new UsageError(`--${name} takes a whole number (0 or more), not "${value}"`);
      }
      return Number(value);
    default:
      return value;
  }
}

/** `kith --help METHOD`: what the method does and each param with its type. */
export function methodHelp(method: string, spec: MethodSpec): string {
  const rows = Object.entries(spec.params).map(
    ([name, p]) =>
      `  --${name.padEnd(18)} ${TYPE_WORDS[p.type]}${p.optional === true ? ' (optional)' : ''}`,
  );
  return `kith [--data-dir DIR] ${method} ${paramsSummary(spec)}

${spec.summary}
${rows.length === 0 ? '\nNo params.' : `\n${rows.join('\n')}`}
  --json               print the raw JSON result
`;
}

const TYPE_WORDS: Readonly<Record<ParamSpec['type'], string>> = {
  string: 'text',
  text: 'text (not blank)',
  userId: 'a user ID (u…)',
  userIds: 'user IDs, repeated or separated by commas',
  boolean: 'true or false (alone: true)',
  count: 'a whole number, 0 or more',
};
