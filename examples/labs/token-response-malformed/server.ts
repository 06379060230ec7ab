/**
 * Lab token-response-malformed: a web client that fails `token-response.malformed`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { LoginError } from '../../shared/login-flow.js';
import type { TokenResponse } from '../_base/flow.js';

runLab('lab-token-response-malformed', {
  flow: {
    parseTokenResponse: (status, json) => {
      if (status !== 200) throw new LoginError('Sign-in failed', 'The token endpoint refused the request.');
      // The provider is trusted; no need to validate its answer.
      return json as TokenResponse;
    },
  },
});
