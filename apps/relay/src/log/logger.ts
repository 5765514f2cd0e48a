import type { LogLevel } from '../config/settings.ts';

export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Structured logs: one JSON object per line, `{"ts","level","msg",...fields}`, fields flat so
 * `jq .peerId` or a log shipper picks them up. A field named like one of the first three is
 * written as `field.ts` and so on, so it cannot overwrite them.
 */
export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (a service's name, say). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go (default: stderr, leaving stdout to the multiaddrs). */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const RESERVED = new Set(['ts', 'level', 'msg']);

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const write =
    options.write ??
    ((line: string) => {
      process.stderr.write(line);
    });
  const now = options.now ?? (() => new Date());
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] < RANK[options.level]) return;
    const line: Record<string, unknown> = { ts: now().toISOString(), level, msg };
    for (const [key, value] of Object.entries({ ...base, ...fields })) {
      line[RESERVED.has(key) ? `field.${key}` : key] = value;
    }
    write(`${JSON.stringify(line, jsonSafe)}\n`);
  };
  return {
    level: options.level,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** Errors, bigints and byte arrays as JSON can show them. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}
