import { afterAll } from 'vitest';
import { killRunningChildren } from '../../packages/node/src/process/index.ts';

// Loaded before each test file of the projects that start processes; its afterAll runs after
// the file's own. A process the file launched and did not stop (a failed or timed-out start in
// a hook, a teardown that threw) is killed here, and fails the file, naming it.
afterAll(() => {
  const left = killRunningChildren();
  if (left.length > 0) {
    throw new Error(`this file left processes running (killed now): ${left.join(', ')}`);
  }
});
