/**
 * Lab pkce-verifier-sent: a web client that fails `pkce.verifier-sent`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-pkce-verifier-sent', {
  flow: {
    // Only the parameters RFC 6749 section 4.1.3 lists.
    tokenParams: ({ grant_type, code, redirect_uri }) => ({ grant_type, code, redirect_uri }),
  },
});
