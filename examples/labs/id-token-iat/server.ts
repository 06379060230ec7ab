/**
 * Lab id-token-iat: a web client that fails `id-token.iat`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-iat', {
  flow: {
    // exp is checked, so iat adds nothing: leave it optional and do not bound the token's age.
    verifyIdToken: (idToken, nonce, ctx) => ctx.verifyCorrectly(idToken, nonce, ['iat']),
  },
});
