/**
 * Lab spa-public-client-secret: a browser application that fails `secret.public-client`. The exercise is
 * in README.md; everything not replaced here is the reference SPA (examples/reference-spa/public/).
 */
import { runSpaLab, type SpaLab } from '../_spa-base/lab.js';

/** What this lab changes about the reference SPA. */
export const lab: SpaLab = {
  name: 'lab-spa-public-client-secret',
  // The client secret goes into the configuration the page carries, next to the client id.
  config: (env) => ({ clientSecret: env.clientSecret }),
  patches: [
    {
      // ...and the token request sends it along (client_secret_post, RFC 6749 2.3.1).
      file: 'oidc.js',
      find: 'const body = new URLSearchParams({ ...params, client_id: config.clientId });',
      replace:
        'const body = new URLSearchParams({ ...params, client_id: config.clientId, client_secret: config.clientSecret });',
    },
    {
      // The revocation request authenticates the same way, or the provider would refuse it.
      file: 'oidc.js',
      find: 'body: new URLSearchParams({ token, token_type_hint: hint, client_id: config.clientId }),',
      replace:
        'body: new URLSearchParams({ token, token_type_hint: hint, client_id: config.clientId, client_secret: config.clientSecret }),',
    },
  ],
};

runSpaLab(lab, import.meta.url);
