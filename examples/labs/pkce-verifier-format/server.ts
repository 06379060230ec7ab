/**
 * Lab pkce-verifier-format: a web client that fails `pkce.verifier-format`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { randomBytes } from 'node:crypto';

runLab('lab-pkce-verifier-format', {
  flow: {
    // 16 random bytes are plenty, and hex is easy to read.
    newVerifier: () => randomBytes(16).toString('hex'),
  },
});
