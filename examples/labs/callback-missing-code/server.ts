/**
 * Lab callback-missing-code: a web client that fails `callback.missing-code`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-callback-missing-code', {
  flow: {
    // The provider always sends a code after a successful login.
    readCode: (query) => query.get('code') ?? '',
  },
});
