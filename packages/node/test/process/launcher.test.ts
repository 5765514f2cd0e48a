import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  launch,
  LAUNCH_TAG_VARIABLE,
  processesTagged,
  runningChildren,
  type LaunchedProcess,
} from '../../src/process/index.ts';

const PARENT = fileURLToPath(new URL('../fixtures/launcher-parent.ts', import.meta.url));

/** Whether `pid` names a live process (a zombie has ended: it only waits to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits (bounded) until the OS no longer runs `pid`: nothing reports another process's end. */
async function gone(pid: number, ms: number): Promise<void> {
  await vi.waitFor(
    () => {
      if (alive(pid)) throw new Error(`process ${pid} still runs`);
    },
    { timeout: ms, interval: 50 },
  );
}

const started: LaunchedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});

const forever = ['-e', 'setInterval(()=>{},1e9);console.log("up")'];

describe.runIf(process.platform === 'linux')('the process launcher', () => {
  it('a child dies with its parent even when the parent is SIGKILLed', async () => {
    const parent = await launch(
      { name: 'parent', args: ['--conditions=@kith/source', PARENT] },
      { what: 'the grandchild pid', check: (p) => /^\d+\n/.test(p.stdout) },
    );
    started.push(parent);
    const grandchild = Number(parent.stdout.trim());
    expect(alive(grandchild)).toBe(true);
    // Only the parent: the grandchild leads a group of its own, so nothing but its lifeline
    // can end it.
    process.kill(parent.pid ?? 0, 'SIGKILL');
    await parent.closed();
    await gone(grandchild, 20_000);
  });

  it('a child that ignores SIGTERM still dies with its parent (killed after the grace)', async () => {
    const parent = await launch(
      { name: 'parent', args: ['--conditions=@kith/source', PARENT, 'ignore-term'] },
      { what: 'the grandchild pid', check: (p) => /^\d+\n/.test(p.stdout) },
    );
    started.push(parent);
    const grandchild = Number(parent.stdout.trim());
    process.kill(parent.pid ?? 0, 'SIGKILL');
    await gone(grandchild, 30_000);
  });

  it('a start that times out kills the child before it throws', async () => {
    let pid: number | undefined;
    await expect(
      launch(
        { name: 'silent', args: ['-e', 'setInterval(()=>{},1e9)'] },
        {
          what: 'a word that never comes',
          check: (p) => {
            pid = p.pid;
            return false;
          },
          ms: 300,
        },
      ),
    ).rejects.toThrow('silent: timed out after 300 ms waiting for a word that never comes');
    expect(pid).toBeTypeOf('number');
    expect(alive(pid ?? 0)).toBe(false);
    expect(runningChildren()).toEqual([]);
  });

  it('a start that fails says how the child exited and what it wrote', async () => {
    await expect(
      launch(
        { name: 'failing', args: ['-e', 'console.error("no config");process.exit(3)'] },
        { what: 'readiness', check: () => false },
      ),
    ).rejects.toThrow(/failing: exited \(3\) while waiting for readiness; its stderr:\nno config/);
  });

  it('stop kills what the child started too, and a child that ignores SIGTERM', async () => {
    // A bin-like child: it starts the real program and ignores SIGTERM. The program's stdin is
    // not the lifeline here, so only the process group can end it.
    const child = await launch(
      {
        name: 'bin',
        args: [
          '-e',
          `process.on("SIGTERM",()=>{});
           const c=require("node:child_process").spawn(process.execPath,["-e","setInterval(()=>{},1e9)"],{stdio:["ignore","inherit","inherit"]});
           console.log(c.pid);setInterval(()=>{},1e9)`,
        ],
      },
      { what: 'the inner pid', check: (p) => /^\d+\n/.test(p.stdout) },
    );
    started.push(child);
    const inner = Number(child.stdout.trim());
    const exit = await child.stop('SIGTERM', 500);
    expect(exit.signal).toBe('SIGKILL');
    expect(alive(child.pid ?? 0)).toBe(false);
    await gone(inner, 5000);
  });

  it('tags what it launches, and what that starts, so a runner can find leftovers', async () => {
    const child = await launch(
      { name: 'tagged', args: forever },
      { what: 'up', check: (p) => p.stdout.includes('up') },
    );
    started.push(child);
    const tag = process.env['KITH_LAUNCH_RUN'] ?? `pid-${process.pid}`;
    const found = await processesTagged(tag);
    expect(found.map((p) => p.pid)).toContain(child.pid);
    expect(readFileSync(`/proc/${child.pid}/environ`, 'latin1')).toContain(
      `${LAUNCH_TAG_VARIABLE}=${tag}`,
    );
    expect(runningChildren()).toEqual([`tagged (pid ${child.pid})`]);
    await child.stop();
    expect(runningChildren()).toEqual([]);
  });
});
