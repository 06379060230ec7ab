/**
 * Lab pkce-verifier-fresh: a web client that fails `pkce.verifier-fresh`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { randomBytes } from 'node:crypto';

const VERIFIER = randomBytes(32).toString('base64url');

runLab('lab-pkce-verifier-fresh', {
  flow: {
    // Generating random bytes per request is slow; one strong verifier is enough.
    newVerifier: () => VERIFIER,
  },
});
