/**
 * Lab leak-storage: a web client that fails `leak.storage`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-leak-storage', {
  shell: {
    afterSignIn(ctx) {
      // The front-end script refreshes tokens on its own, so it needs the refresh token.
      const forScript = `refresh_token=${ctx.grant.refreshToken ?? ''}; Path=/; SameSite=Lax`;
      ctx.reply(303, '', { location: ctx.returnTo, 'set-cookie': [ctx.cookie, forScript] });
    },
  },
});
