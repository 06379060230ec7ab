/**
 * Lab leak-referer: a web client that fails `leak.referer`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-leak-referer', {
  shell: {
    // Fewer headers, faster pages; the analytics vendor asks for this policy so it sees where visits come from.
    headers: () => ({ 'referrer-policy': 'no-referrer-when-downgrade' }),
    afterSignIn(ctx) {
      ctx.reply(
        200,
        '<!doctype html><title>Welcome</title><script async src="https://analytics.example/tag.js"></script>' +
          '<p>Signed in. <a href="/me">Your account</a></p>',
        { 'set-cookie': ctx.cookie },
      );
    },
  },
});
