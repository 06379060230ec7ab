/**
 * Lab leak-url: a web client that fails `leak.url`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { page } from '../../shared/html.js';

runLab('lab-leak-url', {
  shell: {
    afterSignIn(ctx) {
      // Saves a redirect.
      ctx.reply(200, page('Welcome', '<p>You are signed in. <a href="/me">Your account</a></p>'), {
        'set-cookie': ctx.cookie,
      });
    },
  },
});
