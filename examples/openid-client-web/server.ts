/**
 * The reference web app built on openid-client: a confidential client (client_secret_basic) on
 * node:http. Start: `node --import tsx server.ts` with the environment its target.json sets.
 */
import { readEnv } from '../shared/env.js';
import { listen, runMain } from '../shared/listen.js';
import { createWebApp } from '../shared/web-app.js';
import { configure, createOpenIdClientFlow } from './flow.js';

const NAME = 'openid-client-web';

runMain(NAME, async () => {
  const env = readEnv(process.env, { secretRequired: true });
  const config = await configure(env);
  const server = createWebApp({
    name: NAME,
    flow: createOpenIdClientFlow(config, env),
    redirectUri: env.redirectUri,
    ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
  });
  await listen(server, NAME, env.host, env.port);
});
