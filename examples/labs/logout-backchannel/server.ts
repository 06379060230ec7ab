/**
 * Lab logout-backchannel: a web client that fails `logout.backchannel`. The exercise is in README.md; everything not
 * replaced here is the reference web client (examples/reference-web/, examples/shared/web-app.ts).
 */
import { readEnv } from '../../shared/env.js';
import { listen, runMain } from '../../shared/listen.js';
import type { LoginFlow } from '../../shared/login-flow.js';
import { createWebApp } from '../../shared/web-app.js';
import { discover } from '../../reference-web/discovery.js';
import { createReferenceFlow, type PendingLogin } from '../../reference-web/flow.js';

const NAME = 'lab-logout-backchannel';

runMain(NAME, async () => {
  const env = readEnv(process.env, { secretRequired: true });
  const meta = await discover(env.issuer);
  const reference = createReferenceFlow({ env, meta });
  const flow: LoginFlow<PendingLogin> = {
    ...reference,
    // The token is valid, so the provider gets its 200; ending the session is left for later.
    async verifyLogoutToken(logoutToken) {
      await reference.verifyLogoutToken!(logoutToken);
      return {};
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
