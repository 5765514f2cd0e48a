import { readdir, readFile } from 'node:fs/promises';
import { LAUNCH_TAG_VARIABLE } from './lifeline.ts';

/**
 * The process groups this process launched and that still run. When this process exits while
 * some do (a test file that failed before its teardown, a worker ending), they are killed from
 * its 'exit' handler; if it dies without running handlers, their lifelines end them instead.
 */
const live = new Map<number, string>();
let hooked = false;

/** Sends `signal` to the process group led by `pid`; false if there is none any more. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    // A negative pid names the group: the process and whatever it started (on Windows, the
    // process alone: it has no process groups).
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function track(pid: number, name: string): void {
  live.set(pid, name);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pid of live.keys()) signalGroup(pid, 'SIGKILL');
  });
}

export function untrack(pid: number): void {
  live.delete(pid);
}

/** The processes this one launched that still run, as `name (pid)`. */
export function runningChildren(): string[] {
  return [...live].map(([pid, name]) => `${name} (pid ${pid})`);
}

/** Kills every process group this one launched that still runs; returns what it killed. */
export function killRunningChildren(): string[] {
  const killed = runningChildren();
  for (const pid of live.keys()) signalGroup(pid, 'SIGKILL');
  live.clear();
  return killed;
}

/** A process found running with a launch tag. */
export interface TaggedProcess {
  readonly pid: number;
  readonly command: string;
}

/**
 * Every process on this machine launched with tag `tag`, and everything they started (children
 * inherit the tag with the environment). Read from /proc: on other systems the list is empty.
 */
export async function processesTagged(tag: string): Promise<TaggedProcess[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const marker = `${LAUNCH_TAG_VARIABLE}=${tag}`;
  const found: TaggedProcess[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'latin1');
      if (!environ.split('\0').includes(marker)) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      // A zombie has an empty command line: it has ended, its parent has not reaped it yet.
      if (cmdline === '') continue;
      found.push({ pid, command: cmdline.split('\0').join(' ').trim().slice(0, 300) });
    } catch {
      // Gone while reading, or not ours to read.
    }
  }
  return found;
}
