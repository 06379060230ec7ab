#!/usr/bin/env node
/**
 * The `login-harness` executable of the package (`dist/cli/bin.js`, which `bin` in package.json names):
 * runs the CLI's CommonJS bundle (`dist/cli/main.cjs`, both made by scripts/bundle-cli.mjs) compiled
 * with V8's code cache (bundle-loader.ts), and exits with its code. bin.ts is the same command run
 * from the compiled modules, without a bundle.
 */
import { fileURLToPath } from 'node:url';
import { lendImport } from '../../core/import-external.js';
import { loadBundle } from './bundle-loader.js';
import { endProcess } from './end-process.js';
import { prepareV8 } from './jit-flags.js';

// Node modules preloaded and V8 flags set for the command (jit-flags.ts), before the bundle is compiled:
// V8 takes a code cache only under the flags it was made under, and the cache is made at exit.
prepareV8(process.argv[2]);
// `import()` of a user's module (a manifest, an in-process target) and of tsx, which the bundle cannot do itself.
lendImport((url) => import(url));
const bundle = loadBundle(fileURLToPath(new URL('./main.cjs', import.meta.url)));
process.once('exit', () => bundle.saveCache());
const main = bundle.exports.main as (argv: string[]) => Promise<number>;
endProcess(await main(process.argv.slice(2)));
