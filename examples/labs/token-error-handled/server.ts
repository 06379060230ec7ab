/**
 * Lab token-error-handled: a web client that fails `token-error.handled`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import type { TokenResponse } from '../_base/flow.js';

runLab('lab-token-error-handled', {
  flow: {
    parseTokenResponse: (status, json) => {
      // A failed token request means the provider is broken: let it blow up.
      if (status !== 200) throw new Error(`token endpoint answered ${status}`);
      return json as TokenResponse;
    },
  },
});
