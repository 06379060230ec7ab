/**
 * Lab authz-response-iss-missing: a web client that fails `authz-response.iss-missing`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-authz-response-iss-missing', {
  flow: {
    // Check iss when it is there; older providers do not send it.
    issuerMatches: (iss, meta) => iss === null || iss === meta.issuer,
  },
});
