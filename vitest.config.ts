import { defineConfig } from 'vitest/config';

/**
 * Projects that start processes run alone, one after another, and after the CPU-bound units:
 * on a 2-core machine a device process starved by a neighbour misses its deadlines. Projects
 * with different `sequence.groupOrder` run one group after another (per-project
 * `fileParallelism: false` only orders the files inside a project); within a process project,
 * one file at a time.
 */
// From 1: vitest moves files of group 0 with a single worker (the default on 2 cores) into a
// group of their own that runs last.
const GROUP = { units: 1, node: 2, relay: 3, cli: 4 } as const;

/** For the projects whose tests start processes (relays, devices, daemons). */
const processes: {
  testTimeout: number;
  hookTimeout: number;
  fileParallelism: boolean;
  setupFiles: string[];
} = {
  testTimeout: 90_000,
  hookTimeout: 60_000,
  fileParallelism: false,
  // Fails a file that leaves a process it launched running, and kills it.
  setupFiles: ['test/processes/file-teardown.ts'],
};

// One runner for the whole workspace: each package is a vitest project.
export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources (see the "@kith/source" export condition).
    conditions: ['@kith/source'],
  },
  // Tests run in Vite's server environment, which has its own resolve conditions.
  ssr: { resolve: { conditions: ['@kith/source'], externalConditions: ['@kith/source'] } },
  test: {
    // Tags every process the tests launch, and fails the run if any still runs at the end.
    globalSetup: ['test/processes/global-setup.ts'],
    projects: [
      {
        extends: true,
        // Measured at a load average of 14 on 2 cores (other jobs beside the suite), the slowest
        // ordinary units took up to 5 s, vitest's default; 15 s holds at that load. Heavier
        // tests (fuzzing every byte, 10,000 messages, property runs) carry budgets of their own.
        test: {
          name: 'core',
          include: ['packages/core/test/**/*.test.ts'],
          testTimeout: 15_000,
          sequence: { groupOrder: GROUP.units },
        },
      },
      {
        extends: true,
        // Interop tests load another implementation (a WASM build) per client: slower than
        // units, but CPU-bound in the worker like them, so they share the units' group.
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          testTimeout: 60_000,
          sequence: { groupOrder: GROUP.units },
        },
      },
      {
        extends: true,
        // Real libp2p nodes and device processes on loopback.
        test: {
          name: 'node',
          include: ['packages/node/test/**/*.test.ts'],
          ...processes,
          sequence: { groupOrder: GROUP.node },
        },
      },
      {
        extends: true,
        // The relay: its process, its mailboxes, devices reaching each other through it.
        test: {
          name: 'relay',
          include: ['apps/relay/test/**/*.test.ts'],
          ...processes,
          sequence: { groupOrder: GROUP.relay },
        },
      },
      {
        extends: true,
        // The kith command: daemons and terminals in their own processes.
        test: {
          name: 'cli',
          include: ['apps/cli/test/**/*.test.ts'],
          ...processes,
          sequence: { groupOrder: GROUP.cli },
        },
      },
    ],
  },
});
