#!/usr/bin/env node
/**
 * The `login-harness` command run from the compiled modules (`dist/harness/cli/bin.js`): runs
 * {@link main} with the process's arguments and exits with its code. The package's `bin`,
 * `dist/cli/bin.js`, runs the same CLI from its bundle (bundled-bin.ts, scripts/bundle-cli.mjs).
 */
import { setV8Flag } from '../../core/v8-flags.js';
import { main } from './main.js';
import { endProcess } from './end-process.js';
import { preloadFor } from './preload.js';
import { setCliJitFlags } from './jit-flags.js';

// What the command needs of Node's own modules first (fetch's, for a command that runs a mock provider),
// while their code cache applies: see below and preload.ts.
preloadFor(process.argv[2]);

// WebAssembly is compiled by V8's baseline compiler only. The one WebAssembly module the CLI runs is
// fetch's HTTP parser (llhttp; the mock provider posts back-channel logout tokens with fetch), and V8's
// optimizing compiler spent about 0.2 CPU-s of an audit on it for a few requests. Set after the static
// imports above: the Node modules loaded later compile without Node's built-in code cache (it records
// the flags), which costs less than that, and fetch's own modules are loaded above. Recorded, because
// playwright-core's code cache depends on the flags (harness/browser/playwright-core.ts).
setV8Flag('--liftoff-only');
// Type feedback from the first call, and a later start of the optimizing compiler (jit-flags.ts).
setCliJitFlags(process.argv[2]);

endProcess(await main(process.argv.slice(2)));
