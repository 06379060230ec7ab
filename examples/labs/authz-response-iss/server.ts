/**
 * Lab authz-response-iss: a web client that fails `authz-response.iss`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-authz-response-iss', {
  flow: {
    // We only talk to one provider, so iss tells us nothing.
    issuerMatches: () => true,
  },
});
