/** Timing helpers: fixed work per round, several rounds, median time. No timers, no sleeps. */

export interface Measurement {
  readonly name: string;
  /** Median nanoseconds per operation. */
  readonly nsPerOp: number;
  /**
   * Median CPU nanoseconds per operation, every thread of the process (`measureAsync`): other
   * jobs on the machine move it far less than the wall time.
   */
  readonly cpuNsPerOp?: number;
}

export function measure(
  name: string,
  ops: number,
  rounds: number,
  run: () => unknown,
): Measurement {
  run(); // warm up the JIT before timing
  const perOp: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i += 1) run();
    perOp.push(Number(process.hrtime.bigint() - start) / ops);
  }
  return median(name, perOp);
}

/** `measure` for asynchronous operations (ts-mls is async): each call is awaited in turn. */
export async function measureAsync(
  name: string,
  ops: number,
  rounds: number,
  run: () => Promise<unknown>,
): Promise<Measurement> {
  await run();
  const perOp: number[] = [];
  const cpuPerOp: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let i = 0; i < ops; i += 1) await run();
    perOp.push(Number(process.hrtime.bigint() - start) / ops);
    const used = process.cpuUsage(cpu);
    cpuPerOp.push(((used.user + used.system) * 1000) / ops);
  }
  return { ...median(name, perOp), cpuNsPerOp: median(name, cpuPerOp).nsPerOp };
}

/**
 * Times one call of an operation that changes state and so cannot be looped (a commit, a
 * join): collect several such samples and take their `median`.
 */
export async function timeOnce<T>(run: () => Promise<T> | T): Promise<{ value: T; ns: number }> {
  const start = process.hrtime.bigint();
  const value = await run();
  return { value, ns: Number(process.hrtime.bigint() - start) };
}

/** The median of per-operation samples in nanoseconds. */
export function median(name: string, samples: readonly number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  return { name, nsPerOp: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN };
}

export function report(
  title: string,
  rows: readonly [Measurement, Measurement][],
  unit: 'µs' | 'ms' = 'µs',
): void {
  const scale = unit === 'µs' ? 1e3 : 1e6;
  console.log(`\n${title}`);
  console.log(
    `${'kith'.padEnd(36)}${'baseline'.padEnd(30)}${`kith ${unit}`.padStart(10)}${`base ${unit}`.padStart(10)}${'ratio'.padStart(8)}`,
  );
  for (const [kith, baseline] of rows) {
    console.log(
      kith.name.padEnd(36) +
        baseline.name.padEnd(30) +
        (kith.nsPerOp / scale).toFixed(2).padStart(10) +
        (baseline.nsPerOp / scale).toFixed(2).padStart(10) +
        (kith.nsPerOp / baseline.nsPerOp).toFixed(2).padStart(8),
    );
  }
}

/** A goal of the issue: a figure that must stay below a limit, or reach at least one. */
export type Target = { readonly below: number } | { readonly atLeast: number };

/** Prints whether a figure meets its goal: `goal  join from the Welcome: 412 ms (< 1000 ms) met`. */
export function goal(label: string, figure: number, target: Target, unit: string): void {
  const met = 'below' in target ? figure < target.below : figure >= target.atLeast;
  const bound = 'below' in target ? `< ${format(target.below)}` : `>= ${format(target.atLeast)}`;
  console.log(
    `goal  ${label}: ${format(figure)} ${unit} (${bound} ${unit})  ${met ? 'met' : 'NOT met'}`,
  );
}

/** Three significant digits, whole numbers from 100 up. */
export function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
