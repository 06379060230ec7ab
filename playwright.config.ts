import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './harness/browser/find-chromium.js';

const executablePath = findChromium();

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  workers: 2,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    headless: true,
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
});
