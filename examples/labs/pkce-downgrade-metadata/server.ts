/**
 * Lab pkce-downgrade-metadata: a web client that fails `pkce.downgrade-metadata`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { createHash } from 'node:crypto';

runLab('lab-pkce-downgrade-metadata', {
  flow: {
    // Use whatever the provider supports, S256 when possible.
    challenge: (verifier, meta) =>
      meta.code_challenge_methods_supported?.includes('S256') === false
        ? { challenge: verifier, method: 'plain' }
        : { challenge: createHash('sha256').update(verifier).digest('base64url'), method: 'S256' },
  },
});
