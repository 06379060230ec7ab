#!/usr/bin/env node
/**
 * The `login-harness` executable of the package (`dist/cli/bin.js`, which `bin` in package.json names):
 * runs the CLI's CommonJS bundle (`dist/cli/main.cjs`, both made by scripts/bundle-cli.mjs) compiled
 * with V8's code cache (bundle-loader.ts), and exits with its code. bin.ts is the same command run
 * from the compiled modules, without a bundle.
 */
import { fileURLToPath } from 'node:url';
import { lendImport } from '../../core/import-external.js';
import { setV8Flag } from '../../core/v8-flags.js';
import { loadBundle } from './bundle-loader.js';
import { endProcess } from './end-process.js';
import { preloadFor } from './preload.js';
import { setCliJitFlags } from './jit-flags.js';

// WebAssembly is compiled by V8's baseline compiler only (see bin.ts). Before the bundle is compiled:
// V8 takes a code cache only under the flags it was made under, and the cache is made at exit.
// What the command needs of Node's own modules first, while their code cache applies (preload.ts).
preloadFor(process.argv[2]);
setV8Flag('--liftoff-only');
// Type feedback from the first call, and a later start of the optimizing compiler (jit-flags.ts).
setCliJitFlags(process.argv[2]);
// `import()` of a user's module (a manifest, an in-process target) and of tsx, which the bundle cannot do itself.
lendImport((url) => import(url));
const bundle = loadBundle(fileURLToPath(new URL('./main.cjs', import.meta.url)));
process.once('exit', () => bundle.saveCache());
const main = bundle.exports.main as (argv: string[]) => Promise<number>;
endProcess(await main(process.argv.slice(2)));
