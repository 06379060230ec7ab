/** The reference app as started by target.json. */
import { runFapi2App } from './server.js';

runFapi2App('reference-fapi2');
