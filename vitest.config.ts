import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,core,lint,mock-idp,harness,scenarios,reports,examples,bench,scripts}/**/*.test.ts'],
    // examples/consumer/ is a separate project run against the packed package (scripts/consumer.test.ts).
    exclude: ['**/node_modules/**', 'e2e/**', 'examples/consumer/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
