/**
 * Lab pkce-no-plain-retry: a web client that fails `pkce.no-plain-retry`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { createHash } from 'node:crypto';
import { LoginError } from '../../shared/login-flow.js';

let method: 'S256' | 'plain' = 'S256';

runLab('lab-pkce-no-plain-retry', {
  flow: {
    challenge: (verifier) =>
      method === 'plain'
        ? { challenge: verifier, method }
        : { challenge: createHash('sha256').update(verifier).digest('base64url'), method },
    // Some providers reject S256; fall back to plain so the next attempt works.
    onErrorResponse: (error, description) => {
      if (/code_challenge_method/i.test(description ?? '')) method = 'plain';
      throw new LoginError('Sign-in was not completed', `The provider answered: ${error}. Please try again.`);
    },
  },
});
