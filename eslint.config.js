import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', '**/login-harness-report*/', 'test-results/', 'playwright-report/', '**/*.py'],
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
    files: ['examples/**/public/**/*.js', 'examples/**/static/**/*.js', 'examples/**/*.browser.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
