/**
 * Lab redirect-open-redirect: a web client that fails `redirect.open-redirect`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-redirect-open-redirect', {
  shell: {
    // Send people back where they came from.
    returnTo: (query) => query.get('returnTo') ?? undefined,
  },
});
