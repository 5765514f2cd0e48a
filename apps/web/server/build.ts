import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const APP = fileURLToPath(new URL('..', import.meta.url));

/** Builds the web messenger into `outDir` (its dist/ by default); resolves to that directory. */
export async function buildWebApp(outDir = `${APP}dist`): Promise<string> {
  await build({
    configFile: `${APP}vite.config.ts`,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
