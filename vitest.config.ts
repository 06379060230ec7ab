import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,lint,mock-idp,harness,scenarios,reports,examples,bench,scripts}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
