/**
 * Lab pkce-s256: a web client that fails `pkce.s256`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-pkce-s256', {
  flow: {
    // plain is simpler and needs no hashing.
    challenge: (verifier) => ({ challenge: verifier, method: 'plain' }),
  },
});
