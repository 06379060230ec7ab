/**
 * Lab id-token-at-hash: a web client that fails `id-token.at-hash`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-at-hash', {
  flow: {
    // Both tokens came in one TLS response, so there is no need to compare at_hash.
    verifyIdToken: (idToken, nonce, ctx) => ctx.verifyCorrectly(idToken, nonce, ['at_hash']),
  },
});
