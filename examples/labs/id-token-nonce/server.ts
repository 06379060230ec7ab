/**
 * Lab id-token-nonce: a web client that fails `id-token.nonce`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-nonce', {
  flow: {
    // The library checks everything that matters.
    verifyIdToken: (idToken, _nonce, ctx) => ctx.verifyCorrectly(idToken, undefined),
  },
});
