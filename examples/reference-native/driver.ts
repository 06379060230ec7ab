/** The reference native app as a driver (TARGETS.md §4); everything is in `native-app.ts`. */
import { runNativeApp } from './native-app.js';

// Not awaited at the top level: a lab copied out of the package has no package.json, and tsx then
// compiles to CommonJS, which has no top-level await (and shared/run-ts.mjs bundles a program without
// one as CommonJS, whose start it caches). A failure still ends the process with an error.
void runNativeApp('reference-native');
