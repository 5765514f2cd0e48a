import { gzipSync } from 'node:zlib';
import { build, type InlineConfig, type Rolldown } from 'vite';

/** Resolve as a browser does, with the workspace's TypeScript sources (see "@kith/source"). */
const CONDITIONS = ['@kith/source', 'browser', 'module', 'production', 'import', 'default'];

export interface Built {
  /** Output files: name and contents. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly chunks: readonly Rolldown.OutputChunk[];
}

/** Bundles `entries` (name → file) for the browser, minified, in memory. */
export async function bundle(entries: Record<string, string>, minify = true): Promise<Built> {
  const config: InlineConfig = {
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    resolve: { conditions: CONDITIONS, mainFields: ['browser', 'module', 'main'] },
    define: { 'process.env.NODE_ENV': '"production"' },
    // The web messenger's components (the timeline benchmark renders them) are Preact TSX.
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      write: false,
      target: 'es2023',
      minify,
      modulePreload: false,
      reportCompressedSize: false,
      rolldownOptions: {
        input: entries,
        preserveEntrySignatures: 'exports-only',
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  };
  const result = await build(config);
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const files = new Map<string, Uint8Array>();
  const chunks: Rolldown.OutputChunk[] = [];
  for (const out of outputs) {
    for (const item of out.output) {
      if (item.type === 'chunk') {
        chunks.push(item);
        files.set(item.fileName, new TextEncoder().encode(item.code));
      } else {
        const source = item.source;
        files.set(
          item.fileName,
          typeof source === 'string' ? new TextEncoder().encode(source) : source,
        );
      }
    }
  }
  return { files, chunks };
}

/** Gzipped size in bytes (level 9, as a server serving static files would precompress). */
export function gzipped(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

/** Minified bytes per package (node_modules name, or the workspace package), largest first. */
export function bytesByPackage(chunks: readonly Rolldown.OutputChunk[]): [string, number][] {
  const sizes = new Map<string, number>();
  for (const chunk of chunks) {
    for (const [id, info] of Object.entries(chunk.modules)) {
      const name = packageOf(id);
      sizes.set(name, (sizes.get(name) ?? 0) + info.renderedLength);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

function packageOf(id: string): string {
  const modules = id.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = id.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? id);
  }
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(id);
  return workspace === null ? id : `@kith/${workspace[2] ?? ''}`;
}
