/**
 * Lab leak-logs: a web client that fails `leak.logs`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-leak-logs', {
  shell: {
    // Full URLs make debugging much easier.
    logLine: (req) => `${req.method} ${req.url}`,
  },
});
