import { defineConfig } from 'vitest/config';

// Three suites: unit (pure, fast), integration (real Python, real HTTP index on 127.0.0.1),
// e2e (fresh Nx workspaces installed from a local npm registry).
// '@nx-pex/source' maps each package to its TypeScript sources (not 'development', which Nx itself resolves).
const conditions = ['@nx-pex/source'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.spec.ts', 'tools/src/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.spec.ts', 'tools/src/**/*.int.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/src/**/*.e2e.spec.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
