import { playwright } from '@vitest/browser-playwright';
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { nodePeerCommands } from './packages/browser/test/setup/node-peer-commands.ts';
import { relayCommands } from './packages/browser/test/setup/relay-commands.ts';

/** Debian's Chromium headless shell (`.ci/run` installs it): nothing downloads a browser. */
const CHROMIUM = '/usr/lib/chromium/chromium-headless-shell';

/**
 * The browser projects need that Chromium. Without it they are left out with a notice (a
 * developer's machine with only Node), unless KITH_REQUIRE_BROWSER is set (`.ci/run` sets it),
 * where a missing Chromium fails the run instead of skipping tests silently.
 */
const RUN_BROWSER = existsSync(CHROMIUM) || process.env['KITH_REQUIRE_BROWSER'] !== undefined;
if (!RUN_BROWSER) {
  console.warn(
    `Browser tests left out: no Chromium at ${CHROMIUM}. To run them (as root): ` +
      'apt-get install chromium chromium-headless-shell fonts-liberation',
  );
}

/**
 * Browser mode in that Chromium, headless (as root it needs --no-sandbox). A new object per
 * project: vitest names the instances it is given, so two projects must not share them.
 */
function inChromium() {
  return {
    enabled: true,
    headless: true,
    provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: ['--no-sandbox'] } }),
    instances: [{ browser: 'chromium' as const }],
  };
}

/** KITH_CORE_BROWSER=all: the long timeline simulations run in Chromium too (minutes). */
const allCoreInBrowser = process.env['KITH_CORE_BROWSER'] === 'all';
const coreInBrowser = [
  'identity',
  'room',
  'group',
  'timeline',
  'signals',
  'people',
  'relay',
  'storage',
  'client',
  'media',
  'calls',
];

/** What core's code and tests import, pre-bundled (re-optimising mid-run reloads the page). */
const coreDeps = [
  '@noble/ciphers/aes.js',
  '@noble/curves/ed25519.js',
  '@noble/hashes/hkdf.js',
  '@noble/hashes/hmac.js',
  '@noble/hashes/sha2.js',
  'ts-mls',
  'ts-mls/clientConfig.js',
  'ts-mls/groupInfo.js',
  'ts-mls/keyPackage.js',
  'ts-mls/messageProtection.js',
  'yjs',
];

/**
 * Projects that start processes run alone, one after another, and after the CPU-bound units:
 * on a 2-core machine a device process starved by a neighbour misses its deadlines. Projects
 * with different `sequence.groupOrder` run one group after another (per-project
 * `fileParallelism: false` only orders the files inside a project); within a process project,
 * one file at a time.
 */
// From 1: vitest moves files of group 0 with a single worker (the default on 2 cores) into a
// group of their own that runs last.
const GROUP = {
  units: 1,
  node: 2,
  relay: 3,
  cli: 4,
  browser: 5,
  coreBrowser: 6,
  examples: 7,
  web: 8,
} as const;

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
        // What @kith/node and @kith/browser share: units on Node.
        test: {
          name: 'runtime',
          include: ['packages/runtime/test/**/*.test.ts'],
          testTimeout: 15_000,
          sequence: { groupOrder: GROUP.units },
        },
      },
      {
        extends: true,
        // The web messenger's view-model and Markdown, on Node.
        test: {
          name: 'web',
          include: ['apps/web/test/*.test.ts'],
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
      {
        extends: true,
        // The embedding guide's examples (docs/EMBEDDING.md), run as a developer would: the bot
        // in its own process, the page built with Vite and loaded in Chromium (skipped without it).
        test: {
          name: 'examples',
          include: ['examples/*/test/**/*.test.ts'],
          ...processes,
          sequence: { groupOrder: GROUP.examples },
        },
      },
      ...(RUN_BROWSER
        ? [
            {
              extends: true,
              // @kith/browser in a real Chromium: a relay process for the project (global setup),
              // KithNode peers in their own processes driven through browser commands.
              // Rooted in the package, so dependencies resolve from it (and its own, for core's).
              root: 'packages/browser',
              resolve: { conditions: ['module', 'browser', 'development|production'] },
              // Pre-bundled up front: re-optimising mid-run reloads the test page (vitest #11171).
              optimizeDeps: {
                include: [
                  'browser-level',
                  'libp2p',
                  '@libp2p/bootstrap',
                  '@libp2p/circuit-relay-v2',
                  '@libp2p/interface',
                  '@libp2p/noise',
                  '@libp2p/webrtc',
                  '@libp2p/websockets',
                  '@libp2p/yamux',
                  '@libp2p/crypto/keys',
                  '@kith/runtime > @libp2p/gossipsub',
                  '@kith/runtime > @libp2p/identify',
                  '@kith/runtime > @libp2p/peer-id',
                  '@kith/runtime > @libp2p/ping',
                  '@kith/runtime > @libp2p/utils',
                  '@multiformats/multiaddr',
                  '@kith/runtime > @noble/hashes/sha2.js',
                  ...coreDeps.map((d) => `@kith/core > ${d}`),
                ],
              },
              test: {
                name: 'browser',
                include: ['test/**/*.test.ts'],
                globalSetup: [`${import.meta.dirname}/packages/browser/test/setup/global-setup.ts`],
                testTimeout: 60_000,
                hookTimeout: 60_000,
                fileParallelism: false,
                // Its own group: a browser and its peer processes do not run beside other heavy projects.
                sequence: { groupOrder: GROUP.browser },
                browser: { ...inChromium(), commands: { ...nodePeerCommands, ...relayCommands } },
              },
            },
            {
              extends: true,
              // Core's own tests again, in Chromium: the engine runs in a browser tab as well as on
              // Node, clients and chaos simulations included. Files that read shared/ from disk or
              // use node:crypto stay Node-only. The long timeline simulations pass there too but take
              // minutes: they run with KITH_CORE_BROWSER=all.
              root: 'packages/core',
              resolve: { conditions: ['module', 'browser', 'development|production'] },
              optimizeDeps: { include: [...coreDeps, 'memory-level', 'fast-check'] },
              test: {
                name: 'core-browser',
                include: [
                  `test/{${coreInBrowser.join(',')}}/**/*.test.ts`,
                  'test/content/{markdown,status}.test.ts',
                ],
                // The long simulations run on Node only unless asked for.
                exclude: allCoreInBrowser ? [] : ['test/timeline/{scale,convergence}.test.ts'],
                testTimeout: 60_000,
                fileParallelism: false,
                // After the browser project: one Chromium at a time.
                sequence: { groupOrder: GROUP.coreBrowser },
                browser: inChromium(),
              },
            },
            {
              extends: true,
              // The web messenger end to end: its real build served on 127.0.0.1, a relay
              // process, a KithNode, and a person in Chromium driven by playwright-core.
              test: {
                name: 'web-e2e',
                include: ['apps/web/test/e2e/*.test.ts'],
                ...processes,
                // Last, alone: one Chromium at a time.
                sequence: { groupOrder: GROUP.web },
              },
            },
          ]
        : []),
    ],
  },
});
