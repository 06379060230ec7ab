/**
 * Lab id-token-sub-userinfo: a web client that fails `id-token.sub-userinfo`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-sub-userinfo', {
  flow: {
    // userinfo comes from the same provider, so it is about the same person.
    sameSubject: () => true,
  },
});
