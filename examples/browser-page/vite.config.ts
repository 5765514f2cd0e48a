import { defineConfig } from 'vite';

export default defineConfig({
  resolve: {
    // In this repository the @kith packages resolve to their TypeScript sources; an app using
    // the published packages needs only the browser conditions, which Vite sets by default.
    conditions: ['@kith/source', 'module', 'browser', 'development|production'],
  },
  build: {
    // Top-level await (the page opens its device before anything else) and WebCrypto Ed25519
    // need a recent browser anyway.
    target: 'es2022',
    // The device (engine, libp2p, storage) is about 290 kB gzipped, in one chunk.
    chunkSizeWarningLimit: 1200,
  },
});
