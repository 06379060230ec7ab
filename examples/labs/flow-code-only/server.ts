/**
 * Lab flow-code-only: a web client that fails `flow.code-only`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-flow-code-only', {
  shell: {
    afterSignIn(ctx) {
      // The front end reads the token from the fragment; fragments never reach the server.
      ctx.reply(303, '', {
        location: `${ctx.returnTo}#access_token=${ctx.grant.accessToken}`,
        'set-cookie': ctx.cookie,
      });
    },
  },
});
