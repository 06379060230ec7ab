/**
 * Lab callback-error-response: a web client that fails `callback.error-response`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-callback-error-response', {
  flow: {
    // Should never happen: the person already chose to sign in.
    onErrorResponse: (error) => {
      throw new Error(`unexpected OAuth error ${error}`);
    },
  },
});
