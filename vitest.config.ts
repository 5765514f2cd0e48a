import { defineConfig } from 'vitest/config';

// One runner for the whole workspace: each package is a vitest project.
export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources (see the "@kith/source" export condition).
    conditions: ['@kith/source'],
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] },
      },
    ],
  },
});
