/** Timing helpers: fixed work per round, several rounds, median time. No timers, no sleeps. */

export interface Measurement {
  readonly name: string;
  /** Median nanoseconds per operation. */
  readonly nsPerOp: number;
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
  perOp.sort((a, b) => a - b);
  return { name, nsPerOp: perOp[Math.floor(perOp.length / 2)] ?? Number.NaN };
}

export function report(title: string, rows: readonly [Measurement, Measurement][]): void {
  console.log(`\n${title}`);
  console.log(
    `${'kith'.padEnd(36)}${'baseline'.padEnd(30)}${'kith µs'.padStart(10)}${'base µs'.padStart(10)}${'ratio'.padStart(8)}`,
  );
  for (const [kith, baseline] of rows) {
    console.log(
      kith.name.padEnd(36) +
        baseline.name.padEnd(30) +
        (kith.nsPerOp / 1000).toFixed(2).padStart(10) +
        (baseline.nsPerOp / 1000).toFixed(2).padStart(10) +
        (kith.nsPerOp / baseline.nsPerOp).toFixed(2).padStart(8),
    );
  }
}
