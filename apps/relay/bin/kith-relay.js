#!/usr/bin/env node
/* global process, URL */
// The `kith-relay` bin: runs the TypeScript entry point on this Node (22.6 or newer strips types),
// resolving workspace packages to their sources.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--conditions=@kith/source',
    '--disable-warning=ExperimentalWarning',
    main,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
// The relay handles the signals (a second one forces its exit; SIGHUP reloads its TLS
// certificate): pass each one on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 128);
});
