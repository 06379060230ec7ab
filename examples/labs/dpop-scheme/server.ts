/**
 * Lab dpop-scheme: a web client that fails `dpop.scheme`. The exercise is in README.md; everything not
 * replaced here is the reference client (examples/reference-fapi2/).
 */
import { runFapi2App } from '../../reference-fapi2/server.js';

runFapi2App('lab-dpop-scheme', {
  // The API client predates DPoP; a token is a token.
  callApi: (_config, accessToken, url) =>
    fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }),
});
