// pnpm soak: the seeded simulator's chaos scenario over many seeds (not part of CI).
import { parseArgs } from 'node:util';
import { KvStore } from '@kith/core';
import {
  removedMemberAttack,
  runChaos,
  type ChaosBehaviour,
  type ChaosReport,
} from '@kith/core/testing';
import { MemoryLevel } from 'memory-level';

const HELP = `Usage: pnpm soak [--seeds N] [--from S] [--no-restarts] [--minutes M] [--seed-timeout S] [--attacks]

Runs the chaos scenario of @kith/core/testing (five devices, two admins changing the room at
once, a member removed, partitions, loss, duplication, reordering, and devices restarting from
their storage) once per seed, and prints how many seeds ended with every honest device equal,
nothing lost from members who stayed, and nothing readable by the member who left. Every seed
replays exactly: a failing one prints the command that runs it again.

  --seeds N          how many seeds (default 1000)
  --from S           the first seed (default 1000); seeds S .. S+N-1
  --no-restarts      no device restarts (the scenario of packages/core/test/client/chaos.test.ts)
  --minutes M        stop starting seeds after M minutes (default 180); the summary says so
  --seed-timeout S   a seed still running after S seconds counts as failed (default 300)
  --attacks          mix in the attack behaviours: the removed member keeps its state from before
                     its removal and grinds commits on its old epoch, injects timeline updates
                     naming it, and tries to rejoin (checked: it is out on every honest device,
                     nothing it injected is shown, no honest device follows an epoch it made
                     or, having taken the removal, sends at one)
  --verbose          print each step of each seed, what devices refused, and their final sync
  --help             this text`;

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    from: { type: 'string', default: '1000' },
    'no-restarts': { type: 'boolean', default: false },
    minutes: { type: 'string', default: '180' },
    'seed-timeout': { type: 'string', default: '300' },
    attacks: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const count = positive('seeds', values.seeds);
const from = integer('from', values.from);
const budgetMs = positive('minutes', values.minutes) * 60_000;
const seedTimeoutMs = positive('seed-timeout', values['seed-timeout']) * 1000;
const restarts = !values['no-restarts'];
const attacks = values.attacks;

/**
 * Attack behaviours (malicious members, issue 13) mixed into each run with --attacks: each
 * controls some of the devices, acts at every step, and its devices are left out of the honest
 * checks. New ones per seed (they hold the run's state).
 */
function behaviours(): readonly ChaosBehaviour[] {
  return attacks ? [removedMemberAttack()] : [];
}

function integer(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    console.error(`--${name} must be an integer, not ${text}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

function positive(name: string, text: string): number {
  const n = integer(name, text);
  if (n <= 0) {
    console.error(`--${name} must be positive\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

const options = {
  openDatabase: () => new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions),
  yieldTurn: () => new Promise<void>((resolve) => setImmediate(resolve)),
  restarts,
  ...(values.verbose
    ? {
        log: (line: string) => {
          console.log(`  ${line}`);
        },
      }
    : {}),
};

type Outcome = { readonly seed: number } & (
  | { readonly kind: 'report'; readonly report: ChaosReport }
  | { readonly kind: 'error'; readonly message: string }
);

async function runSeed(seed: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      resolve({ seed, kind: 'error', message: `still running after ${seedTimeoutMs / 1000} s` });
    }, seedTimeoutMs);
  });
  const attackers = behaviours();
  const run = runChaos(seed, { ...options, behaviours: attackers }).then(
    (report): Outcome => {
      for (const b of attackers) {
        const actions: Readonly<Record<string, number>> = b.actions ?? {};
        for (const [what, n] of Object.entries(actions)) {
          actionTotals.set(what, (actionTotals.get(what) ?? 0) + n);
        }
      }
      return { seed, kind: 'report', report };
    },
    (error: unknown): Outcome => ({
      seed,
      kind: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
  );
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function problems(o: Outcome): string[] {
  if (o.kind === 'error') return [`threw: ${o.message}`];
  const r = o.report;
  const out: string[] = [];
  if (!r.converged) out.push(`honest devices differ:\n${r.divergence ?? ''}`);
  if (r.lost.length > 0) out.push(`lost: ${r.lost.join(', ')}`);
  if (r.leaked.length > 0) out.push(`readable by the removed member: ${r.leaked.join(', ')}`);
  if (r.removalFailed) out.push('the removal did not hold');
  if (r.attackFindings.length > 0) out.push(`attack not contained: ${r.attackFindings.join('; ')}`);
  if (r.unexpectedErrors.length > 0) out.push(`unexpected: ${r.unexpectedErrors.join('; ')}`);
  return out;
}

const started = Date.now();
const tally = {
  run: 0,
  equal: 0,
  nothingLost: 0,
  nothingLeaked: 0,
  contained: 0,
  clean: 0,
  restarts: 0,
};
const actionTotals = new Map<string, number>();
const failed: number[] = [];
let stoppedEarly = false;
const replay = (seed: number): string =>
  `pnpm soak --from ${seed} --seeds 1${restarts ? '' : ' --no-restarts'}${attacks ? ' --attacks' : ''}`;
console.log(
  `soak: seeds ${from}..${from + count - 1}, restarts ${restarts ? 'on' : 'off'}, ` +
    `attack behaviours: ${
      behaviours()
        .map((b) => b.name)
        .join(', ') || 'none'
    }`,
);
for (let i = 0; i < count; i++) {
  if (Date.now() - started > budgetMs) {
    stoppedEarly = true;
    break;
  }
  const seed = from + i;
  const outcome = await runSeed(seed);
  tally.run++;
  if (outcome.kind === 'report') {
    const r = outcome.report;
    if (r.converged) tally.equal++;
    if (r.lost.length === 0) tally.nothingLost++;
    if (r.leaked.length === 0) tally.nothingLeaked++;
    if (r.attackFindings.length === 0) tally.contained++;
    tally.restarts += r.restarts;
  }
  const found = problems(outcome);
  if (found.length === 0) tally.clean++;
  else {
    failed.push(seed);
    console.log(`\nseed ${seed} FAILED\n  ${found.join('\n  ')}\n  replay: ${replay(seed)}\n`);
  }
  if (tally.run % 10 === 0 || i === count - 1) {
    const elapsed = (Date.now() - started) / 1000;
    const eta = (elapsed / tally.run) * (count - tally.run);
    console.log(
      `[${tally.run}/${count}] ${tally.clean} clean, ${failed.length} failed, ` +
        `${(elapsed / tally.run).toFixed(1)} s/seed, ${Math.round(elapsed)} s so far, about ${Math.round(eta)} s to go`,
    );
  }
}

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const line = (label: string, n: number): string => `  ${label.padEnd(40)} ${n}/${tally.run}`;
console.log(
  [
    '',
    `soak summary: ${tally.run} seeds from ${from} in ${minutes} min` +
      (stoppedEarly ? ` (stopped at the ${values.minutes}-minute budget)` : ''),
    line('every honest device equal', tally.equal),
    line('nothing lost from members who stayed', tally.nothingLost),
    line('nothing readable by the member who left', tally.nothingLeaked),
    ...(attacks
      ? [
          line('attacker out everywhere, nothing shown', tally.contained),
          `  attacks: ${[...actionTotals].map(([what, n]) => `${n} ${what}`).join(', ')}`,
        ]
      : []),
    line('all of the above, no unexpected refusal', tally.clean),
    `  device restarts from storage             ${tally.restarts}`,
    failed.length === 0 ? '  no seed failed' : `  failed seeds: ${failed.join(', ')}`,
  ].join('\n'),
);
// A seed that timed out may still hold timers of the simulated devices.
process.exit(failed.length === 0 && !stoppedEarly ? 0 : 1);
