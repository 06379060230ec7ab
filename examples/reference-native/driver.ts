/** The reference native app as a driver (TARGETS.md §4); everything is in `native-app.ts`. */
import { runNativeApp } from './native-app.js';

await runNativeApp('reference-native');
