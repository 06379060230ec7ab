/**
 * Lab id-token-sub: a web client that fails `id-token.sub`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-sub', {
  flow: {
    // The subject also comes from userinfo, so the ID token need not carry it.
    verifyIdToken: (idToken, nonce, ctx) => ctx.verifyCorrectly(idToken, nonce, ['sub']),
  },
});
