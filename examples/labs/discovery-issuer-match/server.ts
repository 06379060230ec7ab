/**
 * Lab discovery-issuer-match: a web client that fails `discovery.issuer-match`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import type { ProviderMetadata } from '../../reference-web/discovery.js';

runLab('lab-discovery-issuer-match', {
  // The metadata says who the issuer is; ID tokens are then checked against that.
  discover: async (issuer) => {
    const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { redirect: 'error' });
    return (await res.json()) as ProviderMetadata;
  },
});
