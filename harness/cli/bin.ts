#!/usr/bin/env node
/**
 * The `login-harness` command run from the compiled modules (`dist/harness/cli/bin.js`): runs
 * {@link main} with the process's arguments and exits with its code. The package's `bin`,
 * `dist/cli/bin.js`, runs the same CLI from its bundle (bundled-bin.ts, scripts/bundle-cli.mjs).
 */
import { main } from './main.js';
import { endProcess } from './end-process.js';
import { prepareV8 } from './jit-flags.js';

// Node modules preloaded and V8 flags set for the command (jit-flags.ts). Here, unlike in the bundle, the
// CLI's own modules are loaded by the static imports above, before the flags; V8 still applies them to
// the functions it compiles afterwards, which is most of them (it compiles functions when first called).
prepareV8(process.argv[2]);

endProcess(await main(process.argv.slice(2)));
