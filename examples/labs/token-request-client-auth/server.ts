/**
 * Lab token-request-client-auth: a web client that fails `token-request.client-auth`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-token-request-client-auth', {
  flow: {
    // Query parameters work with every HTTP library.
    tokenRequestTarget: (endpoint, env) => {
      const url = new URL(endpoint);
      url.searchParams.set('client_id', env.clientId);
      url.searchParams.set('client_secret', env.clientSecret ?? '');
      return { url: url.href, headers: {} };
    },
  },
});
