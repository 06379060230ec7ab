/**
 * Lab state-missing: a web client that fails `state.missing`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-state-missing', {
  flow: {
    // Some older providers drop state on the way back; don't break their logins.
    stateMatches: (received, expected) => received === null || received === expected,
  },
});
