/**
 * Lab callback-error-xss: a web client that fails `callback.error-xss`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-callback-error-xss', {
  shell: {
    // Provider messages may contain <b>emphasis</b>; keep it.
    errorHtml: (title, detail) => `<p>${detail}</p>\n<p><a href="/login">Try again</a></p>`,
  },
});
