import { multiaddr } from '@multiformats/multiaddr';

/** A raw setting turned into a value, or what is wrong with it (said after "must be ..."). */
type Parsed<T> = { readonly value: T } | { readonly problem: string };

/** How to read one kind of setting from a flag, an environment variable or the config file. */
export interface ValueKind<T> {
  /** What the setting must be, completing "X must be ...". */
  readonly expected: string;
  /** Its placeholder in --help: N, SIZE, DURATION... */
  readonly arg: string;
  readonly parse: (raw: unknown) => Parsed<T>;
}

const bad = (problem: string): { problem: string } => ({ problem });

export function integer(min: number, max: number): ValueKind<number> {
  const expected = `a whole number from ${min} to ${max}`;
  return {
    expected,
    arg: 'N',
    parse(raw) {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? wholeNumber(raw) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? { value: n } : bad(expected);
    },
  };
}

function wholeNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** A size: a number of bytes, or a string with a unit ("64MiB", "1.5 GB", "512KiB"). */
export function bytes(min: number, max: number): ValueKind<number> {
  const expected = `a size from ${formatBytes(min)} to ${formatBytes(max)}, in bytes or with a unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)`;
  return {
    expected,
    arg: 'SIZE',
    parse(raw) {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? sizeOf(raw) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? { value: n } : bad(expected);
    },
  };
}

function sizeOf(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (m === null) return NaN;
  const unit = BYTE_UNITS[(m[2] ?? '').toLowerCase() || 'b'];
  return unit === undefined ? NaN : Math.round(Number(m[1]) * unit);
}

function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  }
  return `${n}B`;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A duration in milliseconds, given as seconds (a bare number) or with a unit (ms, s, m, h, d). */
export function duration(minMs: number, maxMs: number): ValueKind<number> {
  const expected = `a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, in seconds or with a unit (ms, s, m, h, d), e.g. "90s", "2h", "30d"`;
  return {
    expected,
    arg: 'DURATION',
    parse(raw) {
      const ms =
        typeof raw === 'number' ? raw * 1000 : typeof raw === 'string' ? durationOf(raw) : NaN;
      return Number.isSafeInteger(ms) && ms >= minMs && ms <= maxMs ? { value: ms } : bad(expected);
    },
  };
}

function durationOf(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (m === null) return NaN;
  return Math.round(Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? NaN));
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function choice<const T extends string>(values: readonly T[]): ValueKind<T> {
  const expected = `one of ${values.join(', ')}`;
  return {
    expected,
    arg: values.join('|'),
    parse: (raw) =>
      typeof raw === 'string' && (values as readonly string[]).includes(raw)
        ? { value: raw as T }
        : bad(expected),
  };
}

export const text: ValueKind<string> = {
  expected: 'a non-empty string',
  arg: 'DIR',
  parse: (raw) =>
    typeof raw === 'string' && raw.trim() !== '' ? { value: raw } : bad('a non-empty string'),
};

/** A directory's path, or the default one for a bare flag (`--web`) or `true` in the file. */
export function webDirectory(defaultDir: string): ValueKind<string | undefined> {
  return {
    expected: 'a directory path (or nothing, for the built web app)',
    arg: '[DIR]',
    parse: (raw) =>
      raw === true || raw === ''
        ? { value: defaultDir }
        : typeof raw === 'string' && raw.trim() !== ''
          ? { value: raw }
          : bad('a directory path'),
  };
}

/** A file's path, given or left out. */
export const file: ValueKind<string | undefined> = {
  expected: 'a file path',
  arg: 'FILE',
  parse: (raw) =>
    typeof raw === 'string' && raw.trim() !== '' ? { value: raw } : bad('a file path'),
};

/**
 * A list of multiaddrs: an array in the config file, a repeated flag, or an environment variable
 * with the addresses separated by commas or spaces. `check` refuses addresses that parse but
 * cannot serve the purpose.
 */
export function multiaddrs(
  expected: string,
  check: (address: string) => string | undefined = () => undefined,
): ValueKind<readonly string[]> {
  return {
    expected,
    arg: 'MULTIADDR',
    parse(raw) {
      const items =
        typeof raw === 'string'
          ? raw.split(/[\s,]+/).filter((s) => s !== '')
          : Array.isArray(raw)
            ? raw
            : undefined;
      if (items === undefined) return bad(expected);
      const out: string[] = [];
      for (const item of items) {
        if (typeof item !== 'string') return bad(expected);
        try {
          out.push(multiaddr(item).toString());
        } catch (error) {
          return bad(`${expected}; "${item}" is not a multiaddr (${String(error)})`);
        }
        const problem = check(item);
        if (problem !== undefined) return bad(`${expected}; "${item}" ${problem}`);
      }
      return { value: out };
    },
  };
}

/** Whether a multiaddr is a secure WebSockets one (`/tls/ws`, or `/wss`). */
export function isSecureWebSocket(address: string): boolean {
  const names = multiaddr(address)
    .getComponents()
    .map((c) => c.name);
  return names.includes('wss') || (names.includes('tls') && names.at(-1) === 'ws');
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `HOST:PORT` (an IPv6 host in brackets), or "off". */
export const hostPort: ValueKind<HostPort | undefined> = {
  expected: 'HOST:PORT (e.g. 127.0.0.1:4013, [::1]:4013; port 0 picks a free one) or "off"',
  arg: 'HOST:PORT',
  parse(raw) {
    if (raw === 'off' || raw === false) return { value: undefined };
    const m =
      typeof raw === 'string'
        ? /^\s*(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})\s*$/.exec(raw)
        : null;
    const port = Number(m?.[2]);
    if (m === null || !(port >= 0 && port <= 65535)) return bad(hostPort.expected);
    const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
    return { value: { host, port } };
  },
};
