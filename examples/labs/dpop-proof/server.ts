/**
 * Lab dpop-proof: a web client that fails `dpop.proof`. The exercise is in README.md; everything not
 * replaced here is the reference client (examples/reference-fapi2/).
 */
import * as client from 'openid-client';
import { runFapi2App } from '../../reference-fapi2/server.js';

runFapi2App('lab-dpop-proof', {
  // A DPoP key is cheap to make, so the API client makes its own.
  callApi: async (config, accessToken, url) => {
    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    return client.fetchProtectedResource(config, accessToken, url, 'GET', undefined, undefined, { DPoP });
  },
});
