/**
 * The reference web app built on openid-client: a confidential client (client_secret_basic) on
 * node:http. Start: `node ../shared/run-ts.mjs server.ts` with the environment its target.json sets. With
 * `OAUTH_CLIENT_AUTH=private_key_jwt` it authenticates with the example key pair instead
 * (target-private-key-jwt.json registers its public half).
 */
import { readEnv } from '../shared/env.js';
import { loadExampleClientKey } from '../shared/example-client-key.js';
import { listen, runMain } from '../shared/listen.js';
import { createWebApp } from '../shared/web-app.js';
import { configure, createOpenIdClientFlow } from './flow.js';

const NAME = 'openid-client-web';

runMain(NAME, async () => {
  const keyed = process.env.OAUTH_CLIENT_AUTH === 'private_key_jwt';
  const env = readEnv(process.env, { secretRequired: !keyed });
  const privateKey = keyed ? await loadExampleClientKey() : undefined;
  const config = await configure(env, privateKey);
  const server = createWebApp({
    name: NAME,
    flow: createOpenIdClientFlow(config, env),
    redirectUri: env.redirectUri,
    ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
  });
  await listen(server, NAME, env.host, env.port);
});
