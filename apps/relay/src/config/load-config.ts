import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, describeError } from '../errors.ts';
import { CONFIG_FLAG } from './args.ts';
import { isSecureWebSocket } from './values.ts';
import {
  DEFAULT_WSS_LISTEN,
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
  const defaulted = new Set<SettingName>();
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const raw =
      fromFlags(input, setting) ?? fromEnv(env, setting, input.cwd) ?? file.get(setting.key);
    if (raw === undefined) defaulted.add(name);
    values[name] = value(setting, raw);
  }
  return toRelayConfig(withTls(values as SettingValues, defaulted.has('listen')));
}

/**
 * Certificate, key and secure WebSockets addresses go together: a certificate adds a secure
 * WebSockets address to the default ones, and given addresses must have one.
 */
function withTls(values: SettingValues, defaultListen: boolean): SettingValues {
  const { tlsCert, tlsKey } = values;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    const missing = tlsCert === undefined ? SETTINGS.tlsCert.key : SETTINGS.tlsKey.key;
    throw new ConfigError(
      missing,
      `${missing} is required with ${missing === 'tls.cert' ? 'tls.key' : 'tls.cert'}: pass ${flagOf(missing)} as well`,
    );
  }
  const secure = values.listen.filter(isSecureWebSocket);
  if (tlsCert === undefined) {
    if (secure.length === 0) return values;
    throw new ConfigError(
      'listen',
      `${secure.join(', ')} is a secure WebSockets address: it needs a certificate (--tls-cert and --tls-key), or listen on plain /ws behind a proxy that terminates TLS`,
    );
  }
  if (secure.length > 0) return values;
  if (defaultListen) return { ...values, listen: [...values.listen, DEFAULT_WSS_LISTEN] };
  throw new ConfigError(
    'listen',
    `tls.cert is set but no listen address is secure WebSockets: add one, e.g. --listen ${DEFAULT_WSS_LISTEN}`,
  );
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
  if (raw === undefined && setting.optional === true) return undefined;
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
