/**
 * The lifeline of a launched process: its stdin is a pipe whose only writer is the process that
 * launched it, which never writes and never closes it. When that parent ends, however it ends
 * (even SIGKILL), the kernel closes the pipe and the child reads end-of-file: it then stops
 * itself, as if sent SIGTERM, and is killed outright if it has not exited 5 s later.
 *
 * The watch is loaded into the child with `--import` through NODE_OPTIONS, so it also runs in the
 * processes the child starts with an inherited stdin (the `kith-relay` bin's relay, say), and
 * the child's own code is unchanged. A stdin that is neither a pipe nor a socket (Node's child
 * pipes are socket pairs) is left alone: a terminal or /dev/null is no lifeline.
 */

/** Set in every launched process's environment: the tag of the run that launched it. */
export const LAUNCH_TAG_VARIABLE = 'KITH_LAUNCHED_BY';

/** Set by a test runner, it tags the processes launched under it (else the launcher's pid). */
export const RUN_TAG_VARIABLE = 'KITH_LAUNCH_RUN';

/** How long a child whose parent is gone has to stop cleanly before it kills itself. */
const GRACE_MS = 5000;

const WATCH = `import{fstatSync}from"node:fs";
let pipe=false;try{const t=fstatSync(0);pipe=t.isFIFO()||t.isSocket()}catch{}
if(pipe){const s=process.stdin;s.on("error",()=>{});s.on("end",()=>{
setTimeout(()=>process.kill(process.pid,"SIGKILL"),${GRACE_MS}).unref();
process.kill(process.pid,"SIGTERM")});s.resume();s.unref()}`;

/** The `--import` flag that loads the watch (a data: URL, so no file has to be found). */
const IMPORT_FLAG = `--import=data:text/javascript,${encodeURIComponent(WATCH)}`;

/** NODE_OPTIONS for a launched process: the caller's, plus the lifeline watch. */
export function lifelineNodeOptions(existing: string | undefined): string {
  if (existing?.includes(IMPORT_FLAG) === true) return existing;
  return existing === undefined || existing === '' ? IMPORT_FLAG : `${existing} ${IMPORT_FLAG}`;
}

/** The tag for processes launched now: the run's, when a test runner set one. */
export function launchTag(): string {
  return process.env[RUN_TAG_VARIABLE] ?? `pid-${process.pid}`;
}
