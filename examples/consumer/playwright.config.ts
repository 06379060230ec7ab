import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Playwright's own Chromium when installed (`npx playwright install chromium`); else the system's.
const system = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  workers: 1,
  reporter: 'line',
  use: {
    headless: true,
    ...(process.env.CONSUMER_CHROMIUM || system
      ? { launchOptions: { executablePath: process.env.CONSUMER_CHROMIUM ?? system, args: ['--no-sandbox'] } }
      : {}),
  },
});
