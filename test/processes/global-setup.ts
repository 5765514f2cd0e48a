import { randomBytes } from 'node:crypto';
import {
  processesTagged,
  RUN_TAG_VARIABLE,
  type TaggedProcess,
} from '../../packages/node/src/process/index.ts';

/**
 * The last line of defence against a test run that leaves processes behind (it would hold CI
 * open, or eat a core for the next run). Every process launched during the run, and whatever
 * those started, carries this run's tag in its environment; once every test has ended, none may
 * still run. Any that does is listed, killed, and fails the run.
 */
export default function setup(): () => Promise<void> {
  // Workers start after this and inherit it; the launcher tags its children with it. A run
  // tagged from outside (.ci/run) keeps its tag.
  const tag = (process.env[RUN_TAG_VARIABLE] ??=
    `vitest-${process.pid}-${randomBytes(4).toString('hex')}`);
  return async () => {
    const left = await processesTagged(tag);
    if (left.length === 0) return;
    // A child whose worker just ended gets 5 s from its lifeline to stop: give it that.
    const survivors = await stillRunningAfter(tag, 6000);
    for (const p of survivors) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Ended meanwhile.
      }
    }
    const list = left.map((p) => `  ${p.pid}: ${p.command}`).join('\n');
    throw new Error(
      `processes started by the tests still ran after every test had ended (${survivors.length} of them killed now):\n${list}`,
    );
  };
}

/** The processes with `tag` that still run after `ms` (checked again every 200 ms till then). */
async function stillRunningAfter(tag: string, ms: number): Promise<TaggedProcess[]> {
  const deadline = Date.now() + ms;
  let left = await processesTagged(tag);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = await processesTagged(tag);
  }
  return left;
}
