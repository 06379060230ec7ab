/**
 * Playwright's Chromium launcher, loaded with `require`. playwright-core is CommonJS of about 7 MB: an
 * `import` makes Node's ES module loader scan each of its files for named exports (cjs-module-lexer,
 * about 0.3 CPU-s on two cores) before running them, while `require` only compiles them. Only types are
 * imported from the package elsewhere; whoever needs the launcher imports this module, which is loaded
 * only when a browser is really started.
 */
import { createRequire } from 'node:module';
import type * as PlaywrightCore from 'playwright-core';

/** `chromium` of playwright-core. */
export const chromium: typeof PlaywrightCore.chromium = (
  createRequire(import.meta.url)('playwright-core') as typeof PlaywrightCore
).chromium;
