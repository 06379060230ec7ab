/**
 * Lab logout-session: a web client that fails `logout.session`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-logout-session', {
  flow: {
    // Nothing to tell the provider either: the person is gone from this browser.
    revoke: async () => undefined,
  },
  shell: {
    // Clearing the cookie signs the person out; the server-side session expires on its own.
    endSession: () => undefined,
  },
});
