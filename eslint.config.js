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
    files: ['examples/**/public/**/*.js', 'examples/**/static/**/*.js', 'examples/**/*.browser.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
