/**
 * Starting the Kith processes (relays, devices, daemons) from another
 * process, each tied to the life of the process that started it. Tests, benchmarks and the
 * demo all start their processes through this.
 *
 * @module \@kith/node/process
 */

export {
  DEFAULT_WAIT_MS,
  launch,
  LaunchedProcess,
  type Exit,
  type LaunchOptions,
  type Readiness,
} from './launched-process.ts';
export { LAUNCH_TAG_VARIABLE, launchTag, RUN_TAG_VARIABLE } from './lifeline.ts';
export {
  killRunningChildren,
  processesTagged,
  runningChildren,
  type TaggedProcess,
} from './registry.ts';
