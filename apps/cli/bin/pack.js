#!/usr/bin/env node
/* global process, URL, console */
// `pnpm --filter @kith/cli pack-kith [--out DIR]`: a tarball `npm i -g` installs, with no
// registry: `kith` and `kith-relay` bundled (the engine, libp2p and the workspace packages
// inlined by rolldown) and the one native addon, classic-level, shipped with its dependencies
// as bundled dependencies. Prints the tarball's path.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const cli = fileURLToPath(new URL('..', import.meta.url));
const repo = join(cli, '..', '..');
const args = process.argv.slice(2);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(cli, 'pack');
if (out === undefined) throw new Error('--out takes a directory');
const stage = join(out, 'kith');
/** Loaded from its package at run time: a native addon, which no bundle can hold. */
const NATIVE = 'classic-level';

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
await bundle(join(cli, 'src/main.ts'), join(stage, 'kith'));
await bundle(join(repo, 'apps/relay/src/main.ts'), join(stage, 'relay'));
writeBin('kith', '../kith/main.js');
writeBin('kith-relay', '../relay/main.js');
const bundled = copyWithDependencies(NATIVE, join(repo, 'apps/cli'), join(stage, 'node_modules'));
const own = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
const nativeVersion = own.dependencies[NATIVE];
writeFileSync(
  join(stage, 'package.json'),
  `${JSON.stringify(
    {
      name: 'kith',
      version: own.version,
      description:
        'Kith, a peer-to-peer end-to-end-encrypted messenger: the terminal app and the relay',
      license: own.license,
      type: 'module',
      bin: { kith: 'bin/kith.js', 'kith-relay': 'bin/kith-relay.js' },
      engines: { node: '>=22.18' },
      dependencies: { [NATIVE]: nativeVersion },
      bundleDependencies: [...bundled].sort(),
    },
    null,
    2,
  )}\n`,
);
cpSync(join(cli, 'README.md'), join(stage, 'README.md'));
const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
  cwd: stage,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  env: npmEnv(process.env),
}).trim();
console.log(join(out, name.split('\n').at(-1) ?? name));

/** The environment without pnpm's settings for the scripts it runs, which are not npm's. */
function npmEnv(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

async function bundle(input, dir) {
  await build({
    cwd: repo,
    input: { main: input },
    platform: 'node',
    external: [NATIVE, /^node:/],
    resolve: { conditionNames: ['@kith/source', 'node', 'import', 'default'] },
    output: { dir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    logLevel: 'silent',
  });
}

function writeBin(name, main) {
  mkdirSync(join(stage, 'bin'), { recursive: true });
  const text = `#!/usr/bin/env node
// The \`${name}\` command of the kith package: its bundle, on Node 22.18 or newer.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write('${name}: needs Node.js 22.18 or newer (this is ' + process.version + ')\\n');
  process.exit(1);
}
const { default: module } = await import('node:module');
module.enableCompileCache?.();
await import('${main}');
`;
  writeFileSync(join(stage, 'bin', `${name}.js`), text, { mode: 0o755 });
}

/**
 * Copies package `name` as `from` resolves it, and every package it depends on, into
 * `modules` (flat: one version of each is all classic-level's tree has). Returns their names.
 */
function copyWithDependencies(name, from, modules, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const dir = packageDir(name, from);
  cpSync(dir, join(modules, name), { recursive: true, dereference: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    copyWithDependencies(dep, dir, modules, seen);
  }
  return seen;
}

/** Where Node finds package `name` from directory `from`: node_modules up the tree. */
function packageDir(name, from) {
  for (let dir = realpathSync(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`cannot find ${name} from ${from}`);
  }
}
