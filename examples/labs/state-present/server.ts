/**
 * Lab state-present: a web client that fails `state.present`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-state-present', {
  flow: {
    // "We use PKCE, so state is redundant."
    newState: () => undefined,
    stateMatches: () => true,
  },
});
