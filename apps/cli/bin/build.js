#!/usr/bin/env node
/* global process, URL, console */
// `pnpm --filter @kith/cli build`: bundles `kith` (the CLI, the engine, libp2p) into dist/ with
// rolldown, so a start loads a few files instead of thousands and strips no TypeScript. Each
// command's code stays a chunk of its own: a one-shot call still loads none of the engine.
// bin/kith.js runs dist/ when it is newer than every source it holds, else the sources.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--out DIR` builds elsewhere (a test's own directory); `--if-possible` (the install's
// postinstall) warns instead of failing: the sources still run without a build.
const args = process.argv.slice(2);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const dist = out ?? fileURLToPath(new URL('../dist/', import.meta.url));
try {
  await bundle();
} catch (error) {
  console.error(
    `kith: the build failed (${error instanceof Error ? error.message : String(error)})`,
  );
  process.exitCode = args.includes('--if-possible') ? 0 : 1;
}

async function bundle() {
  await rm(dist, { recursive: true, force: true });
  await build({
    cwd: root,
    input: { main: 'src/main.ts' },
    platform: 'node',
    // A native addon (loaded from its package at run time) and Node's own modules.
    external: ['classic-level', /^node:/],
    resolve: { conditionNames: ['@kith/source', 'node', 'import', 'default'] },
    output: {
      dir: dist,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
    },
    logLevel: 'warn',
  });
  // What bin/kith.js compares against the sources' times.
  await writeFile(join(dist, 'built'), `${new Date().toISOString()}\n`);
  console.log(`kith: built ${dist}`);
}
