/**
 * Lab nonce-present: a web client that fails `nonce.present`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-nonce-present', {
  flow: {
    // We already have state; a nonce would be a second state.
    newNonce: () => undefined,
  },
});
