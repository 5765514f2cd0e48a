/**
 * A small Prometheus registry: counters and gauges, with labels, written in the text exposition
 * format (version 0.0.4). Enough for a relay's handful of metrics without a dependency.
 */

type Labels<L extends string> = Readonly<Record<L, string>>;

interface CounterChild {
  /** Adds `by` (default 1; never negative: a counter only goes up). */
  inc(by?: number): void;
}

export interface Counter<L extends string = never> extends CounterChild {
  /** The series for these label values, created at 0 on first use. */
  labels(values: Labels<L>): CounterChild;
}

interface GaugeChild {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}

export interface Gauge<L extends string = never> extends GaugeChild {
  labels(values: Labels<L>): GaugeChild;
}

export interface MetricOptions<L extends string> {
  /** `snake_case`, prefixed by what it measures (`kith_relay_`); counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /** Read at every scrape, for a value kept elsewhere (open connections); nothing else is kept. */
  readonly collect?: () => number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly series: Map<string, { labels: string; value: number }>;
  readonly collect: (() => number) | undefined;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    if (!options.name.endsWith('_total')) {
      throw new Error(`counter ${options.name} must end in _total`);
    }
    const family = this.#add(options, 'counter');
    const child = (labels: string): CounterChild => ({
      inc: (by = 1) => {
        if (!(by >= 0)) throw new Error(`counter ${options.name} cannot go down (inc(${by}))`);
        series(family, labels).value += by;
      },
    });
    return { ...child(''), labels: (values) => touch(family, child, values) };
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    const family = this.#add(options, 'gauge');
    const child = (labels: string): GaugeChild => ({
      set: (value) => {
        series(family, labels).value = value;
      },
      inc: (by = 1) => {
        series(family, labels).value += by;
      },
      dec: (by = 1) => {
        series(family, labels).value -= by;
      },
    });
    return { ...child(''), labels: (values) => touch(family, child, values) };
  }

  /** Every metric in the Prometheus text format. */
  exposition(): string {
    const lines: string[] = [];
    for (const f of this.#families.values()) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${f.name} ${f.type}`);
      if (f.collect !== undefined) lines.push(`${f.name} ${format(f.collect())}`);
      else if (f.labelNames.length === 0) lines.push(`${f.name} ${format(series(f, '').value)}`);
      else
        for (const s of f.series.values()) lines.push(`${f.name}{${s.labels}} ${format(s.value)}`);
    }
    return `${lines.join('\n')}\n`;
  }

  #add(options: MetricOptions<string>, type: Family['type']): Family {
    const labelNames = options.labelNames ?? [];
    if (!NAME.test(options.name)) throw new Error(`bad metric name ${options.name}`);
    if (this.#families.has(options.name)) throw new Error(`metric ${options.name} exists already`);
    for (const l of labelNames) if (!LABEL.test(l)) throw new Error(`bad label name ${l}`);
    if (options.collect !== undefined && labelNames.length > 0) {
      throw new Error(`${options.name}: a collected metric has no labels`);
    }
    const family: Family = {
      name: options.name,
      help: options.help,
      type,
      labelNames,
      series: new Map(),
      collect: options.collect,
    };
    this.#families.set(options.name, family);
    return family;
  }
}

function series(family: Family, labels: string): { labels: string; value: number } {
  if (labels === '' && family.labelNames.length > 0) {
    throw new Error(
      `${family.name} needs labels ${family.labelNames.join(', ')}: use .labels({...})`,
    );
  }
  let s = family.series.get(labels);
  if (s === undefined) {
    s = { labels, value: 0 };
    family.series.set(labels, s);
  }
  return s;
}

function touch<C>(family: Family, child: (labels: string) => C, values: Labels<string>): C {
  const given = Object.keys(values);
  if (given.length !== family.labelNames.length || !family.labelNames.every((l) => l in values)) {
    throw new Error(
      `${family.name} takes labels ${family.labelNames.join(', ')}, got ${given.join(', ')}`,
    );
  }
  const text = family.labelNames
    .map(
      (l) =>
        `${l}="${(values[l] ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
  series(family, text);
  return child(text);
}

function format(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
