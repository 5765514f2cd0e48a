#!/usr/bin/env node
/* global process, URL */
// The `kith` bin: runs the TypeScript entry point in this process on this Node (22.18 or newer
// strips types), resolving workspace packages to their sources. No second Node is started:
// the `@kith/source` condition is added by a resolve hook instead of a command-line flag.
import module from 'node:module';

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
module.registerHooks({
  resolve(specifier, context, nextResolve) {
    const conditions = [...context.conditions, '@kith/source'];
    return nextResolve(specifier, { ...context, conditions });
  },
});
await import(new URL('../src/main.ts', import.meta.url).href);
