/**
 * Lab pkce-present: a web client that fails `pkce.present`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-pkce-present', {
  flow: {
    // We are a confidential client: the client secret protects the code.
    challenge: () => undefined,
  },
});
