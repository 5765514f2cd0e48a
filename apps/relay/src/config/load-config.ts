import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, describeError } from '../errors.ts';
import { CONFIG_FLAG } from './args.ts';
import {
  SETTINGS,
  envOf,
  flagOf,
  toRelayConfig,
  type RelayConfig,
  type Setting,
  type SettingName,
  type SettingValues,
} from './settings.ts';

export const CONFIG_ENV = 'KITH_RELAY_CONFIG';

export interface ConfigInput {
  /** Values by flag, as `parseCommandLine` gives them. */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Where a raw value came from, for error messages and `--check-config`. */
interface Raw {
  readonly value: unknown;
  readonly source: string;
  /** Directory relative paths are resolved against. */
  readonly base: string;
}

/**
 * The relay's configuration: flags over environment variables over the config file over the
 * defaults. Every value is checked, and a bad one is reported with its setting, its source and
 * what it must be. Unknown flags, file keys and KITH_RELAY_* variables are errors, not ignored:
 * a typo would otherwise silently leave a default in force.
 */
export async function loadConfig(input: ConfigInput): Promise<RelayConfig> {
  const env = checkedEnv(input.env);
  const configPath = input.flags.get(CONFIG_FLAG)?.at(-1) ?? env.get(CONFIG_ENV);
  const file =
    configPath === undefined
      ? new Map<string, Raw>()
      : await readConfigFile(resolve(input.cwd, configPath));
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const raw =
      fromFlags(input, setting) ?? fromEnv(env, setting, input.cwd) ?? file.get(setting.key);
    values[name] = value(setting, raw);
  }
  return toRelayConfig(values as SettingValues);
}

function fromFlags(input: ConfigInput, setting: Setting<unknown>): Raw | undefined {
  const flag = flagOf(setting.key);
  const given = input.flags.get(flag);
  if (given === undefined || given.length === 0) return undefined;
  const value = setting.list ? given.flatMap(splitList) : given.at(-1);
  return { value, source: flag, base: input.cwd };
}

function fromEnv(
  env: ReadonlyMap<string, string>,
  setting: Setting<unknown>,
  cwd: string,
): Raw | undefined {
  const name = envOf(setting.key);
  const given = env.get(name);
  return given === undefined ? undefined : { value: given, source: name, base: cwd };
}

function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

function value(setting: Setting<unknown>, raw: Raw | undefined): unknown {
  if (raw === undefined && setting.default === undefined) {
    throw new ConfigError(
      setting.key,
      `${setting.key} is required: pass ${flagOf(setting.key)}, set ${envOf(setting.key)}, or set "${setting.key}" in the config file`,
    );
  }
  const given = raw ?? { value: setting.default, source: 'the default', base: '' };
  const parsed = setting.kind.parse(given.value);
  if ('problem' in parsed) {
    throw new ConfigError(
      setting.key,
      `${setting.key} must be ${parsed.problem}; got ${JSON.stringify(given.value)} from ${given.source}`,
    );
  }
  return setting.path === true ? resolve(given.base, parsed.value as string) : parsed.value;
}

/** KITH_RELAY_* variables, empty ones treated as unset (as systemd and compose leave them). */
function checkedEnv(env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const known = new Set([CONFIG_ENV, ...Object.values(SETTINGS).map((s) => envOf(s.key))]);
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KITH_RELAY_') || value === undefined || value === '') continue;
    if (!known.has(name)) {
      throw new ConfigError(
        name,
        `unknown environment variable ${name}: unset it or see kith-relay --help for the known ones`,
      );
    }
    out.set(name, value);
  }
  return out;
}

/** The config file's settings by key (`circuit.maxReservations`), sections flattened. */
async function readConfigFile(path: string): Promise<Map<string, Raw>> {
  let textOfFile: string;
  try {
    textOfFile = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      'config',
      `cannot read the config file ${path}: ${describeError(cause)}`,
      {
        cause,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(textOfFile);
  } catch (cause) {
    throw new ConfigError(
      'config',
      `the config file ${path} is not valid JSON: ${describeError(cause)}`,
      {
        cause,
      },
    );
  }
  const keys = new Set(Object.values(SETTINGS).map((s) => s.key));
  const out = new Map<string, Raw>();
  const walk = (node: unknown, prefix: string): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      throw new ConfigError(
        prefix === '' ? 'config' : prefix,
        `${prefix === '' ? `the config file ${path}` : `"${prefix}" in ${path}`} must be a JSON object`,
      );
    }
    for (const [name, v] of Object.entries(node)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (keys.has(key))
        out.set(key, { value: v, source: `${path} ("${key}")`, base: dirname(path) });
      else if ([...keys].some((k) => k.startsWith(`${key}.`))) walk(v, key);
      else {
        throw new ConfigError(
          key,
          `unknown setting "${key}" in ${path}: known settings are ${[...keys].join(', ')}`,
        );
      }
    }
  };
  walk(json, '');
  return out;
}
