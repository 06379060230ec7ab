/**
 * Lab logout-rp-initiated: a web client that fails `logout.rp-initiated`. The exercise is in README.md; everything not
 * replaced here is the reference web client (examples/reference-web/, examples/shared/web-app.ts).
 */
import { readEnv } from '../../shared/env.js';
import { listen, runMain } from '../../shared/listen.js';
import type { LoginFlow } from '../../shared/login-flow.js';
import { createWebApp } from '../../shared/web-app.js';
import { discover } from '../../reference-web/discovery.js';
import { createReferenceFlow, type PendingLogin } from '../../reference-web/flow.js';

const NAME = 'lab-logout-rp-initiated';

runMain(NAME, async () => {
  const env = readEnv(process.env, { secretRequired: true });
  const meta = await discover(env.issuer);
  const reference = createReferenceFlow({ env, meta });
  const flow: LoginFlow<PendingLogin> = {
    ...reference,
    // Back to the home page after signing out at the provider.
    endSessionUrl(grant, state) {
      if (!meta.end_session_endpoint || !grant.idToken) return undefined;
      const url = new URL(meta.end_session_endpoint);
      url.searchParams.set('id_token_hint', grant.idToken);
      url.searchParams.set('post_logout_redirect_uri', new URL('/', env.redirectUri).href);
      url.searchParams.set('state', state);
      return url;
    },
  };
  const server = createWebApp({
    name: NAME,
    flow,
    redirectUri: env.redirectUri,
    ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
    ...(env.backchannelLogoutUri ? { backchannelLogoutUri: env.backchannelLogoutUri } : {}),
  });
  await listen(server, NAME, env.host, env.port);
});
