#!/usr/bin/env node
// The `login-harness` command in a checkout: runs the compiled CLI (`npm run build` writes dist/; `npm ci`
// and `npm test` build it). The installed package's `bin` points at dist/cli/bin.js directly.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('login-harness: dist/ is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(3);
}
await import(entry.href);
