/**
 * Lab state-entropy: a web client that fails `state.entropy`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
let nextState = Date.now();

runLab('lab-state-entropy', {
  flow: {
    // Unique per login, and easy to debug in the logs.
    newState: () => String(nextState++),
  },
});
