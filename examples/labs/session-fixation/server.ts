/**
 * Lab session-fixation: a web client that fails `session.fixation`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-session-fixation', {
  shell: {
    // Keep the session: it already holds the login in progress.
    newSessionAtSignIn: false,
  },
});
