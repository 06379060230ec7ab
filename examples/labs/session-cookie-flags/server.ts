/**
 * Lab session-cookie-flags: a web client that fails `session.cookie-flags`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-session-cookie-flags', {
  shell: {
    // Our front-end script reads the session id for its API calls.
    cookie: (name, value, opts) =>
      `${name}=${value}; Path=/; SameSite=Lax${opts.maxAge !== undefined ? `; Max-Age=${opts.maxAge}` : ''}`,
  },
});
