/**
 * Lab token-request-redirect-uri: a web client that fails `token-request.redirect-uri`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-token-request-redirect-uri', {
  flow: {
    // The provider already knows our redirect URI from the registration.
    tokenParams: ({ redirect_uri: _redirectUri, ...rest }) => rest,
  },
});
