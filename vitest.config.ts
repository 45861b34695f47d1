import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // type-graphql loads graphql's CommonJS build; make ESM test files load the same copy.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'benchmarks/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
