import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import layers from './lint/layers.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      '**/login-harness-report*/',
      'test-results/',
      'playwright-report/',
      '**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The import table of docs/ARCHITECTURE.md: core <- reports, mock-idp <- engine (harness/) <- catalog
    // (scenarios/) <- CLI composition root (harness/cli/).
    files: ['**/*.ts'],
    plugins: { layers },
    rules: { 'layers/import-table': 'error' },
  },
  {
    // Example programs are bundled and started again for every target process of an audit: they
    // validate with Zod Mini through examples/shared/zod.ts (English messages), not Zod's chained API,
    // which bundles ~750 KB.
    files: ['examples/**/*.ts'],
    ignores: ['examples/**/*.test.ts', 'examples/real/**', 'examples/shared/zod.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['zod', 'zod/mini'].map((name) => ({
            name,
            message: 'Example programs import Zod Mini from examples/shared/zod.ts.',
          })),
        },
      ],
    },
  },
  {
    files: ['examples/**/public/**/*.js', 'examples/**/static/**/*.js', 'examples/**/*.browser.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
