/**
 * Lab state-mismatch: a web client that fails `state.mismatch`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-state-mismatch', {
  flow: {
    // The provider echoes state, so any value proves the round trip worked.
    stateMatches: (received) => received !== null,
  },
});
