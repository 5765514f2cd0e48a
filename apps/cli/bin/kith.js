#!/usr/bin/env node
/* global process, URL */
// The `kith` bin. It runs the build in dist/ (`pnpm --filter @kith/cli build`) when there is
// one newer than every source it bundles; otherwise the TypeScript sources, in this process on
// this Node (22.18 or newer strips types), workspace packages resolved to their sources by a
// resolve hook (no second Node is started for a `--conditions` flag). KITH_FROM_SOURCE=1 skips
// the build.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || typeof module.registerHooks !== 'function') {
  process.stderr.write(`kith: needs Node.js 22.18 or newer (this is ${process.version})\n`);
  process.exit(1);
}
// Type stripping is stable in the Node versions kith runs on; its notice would only be noise.
const emit = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.includes('Type Stripping')) return;
  emit.call(process, warning, ...rest);
};
// V8's code cache and the stripped TypeScript kept between runs (in the OS temp directory):
// later starts skip most parsing and compiling.
module.enableCompileCache?.();

/** The newest modification time under `dir` (ms), or 0 when it is not there. */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
}

/** Whether dist/ was built after the last change to any source it holds. */
function buildIsFresh() {
  if (process.env.KITH_FROM_SOURCE === '1') return false;
  const built = statSync(fileURLToPath(new URL('../dist/built', import.meta.url)), {
    throwIfNoEntry: false,
  });
  if (built === undefined) return false;
  const sources = [
    'apps/cli/src',
    'packages/core/src',
    'packages/runtime/src',
    'packages/node/src',
  ];
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return sources.every((dir) => newest(`${root}${dir}`) < built.mtimeMs);
}

if (buildIsFresh()) {
  await import(new URL('../dist/main.js', import.meta.url).href);
} else {
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const conditions = [...context.conditions, '@kith/source'];
      return nextResolve(specifier, { ...context, conditions });
    },
  });
  await import(new URL('../src/main.ts', import.meta.url).href);
}
