/**
 * Lab par-front-channel: a web client that fails `par.front-channel`. The exercise is in README.md;
 * everything not replaced here is the reference client (examples/reference-fapi2/).
 */
import * as client from 'openid-client';
import { runFapi2App } from '../../reference-fapi2/server.js';

runFapi2App('lab-par-front-channel', {
  // Pushed, and the parameters kept in the URL too, so the access logs still show what was asked for.
  authorizationUrl: async (config, params, dpop) => {
    const url = await client.buildAuthorizationUrlWithPAR(config, params, { DPoP: dpop });
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  },
});
