#!/usr/bin/env node
/**
 * The `login-harness` executable of the package: runs {@link main} with the process's arguments and
 * exits with its code. `bin` in package.json points at its bundle, `dist/cli/bin.js`, which
 * scripts/bundle-cli.mjs makes from the compiled form of this file.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
