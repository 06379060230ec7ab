/**
 * Lab logout-revoke: a web client that fails `logout.revoke`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-logout-revoke', {
  flow: {
    // Deleting the session is enough: nobody has the tokens any more.
    revoke: async () => undefined,
  },
});
