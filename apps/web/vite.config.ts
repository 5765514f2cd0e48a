import { defineConfig } from 'vite';

/**
 * The web messenger's build: a static page in dist/ for any web server. Workspace packages come
 * from their TypeScript sources; everything is bundled, so the page requests nothing elsewhere.
 */
export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the build works from any path a server puts it under.
  base: './',
  resolve: { conditions: ['@kith/source', 'module', 'browser', 'development|production'] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebCrypto Ed25519 (ts-mls) arrived in Chrome 137.
    target: 'chrome137',
    chunkSizeWarningLimit: 2048,
  },
});
