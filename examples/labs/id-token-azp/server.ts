/**
 * Lab id-token-azp: a web client that fails `id-token.azp`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-azp', {
  flow: {
    // jose checks that our client id is among the audiences; that is enough.
    verifyIdToken: (idToken, nonce, ctx) => ctx.verifyCorrectly(idToken, nonce, ['azp']),
  },
});
