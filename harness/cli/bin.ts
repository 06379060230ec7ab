#!/usr/bin/env node
/**
 * The `login-harness` executable of the package (`bin` in package.json points at its compiled form,
 * `dist/harness/cli/bin.js`): runs {@link main} with the process's arguments and exits with its code.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
