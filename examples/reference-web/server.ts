/**
 * The reference web client: a confidential client (client_secret_basic) on node:http.
 * Start: `node ../shared/run-ts.mjs server.ts` with the environment its target.json sets.
 */
import { readEnv } from '../shared/env.js';
import { listen, runMain } from '../shared/listen.js';
import { createWebApp } from '../shared/web-app.js';
import { discover } from './discovery.js';
import { createReferenceFlow } from './flow.js';

const NAME = 'reference-web';

runMain(NAME, async () => {
  const env = readEnv(process.env, { secretRequired: true });
  const meta = await discover(env.issuer);
  const server = createWebApp({
    name: NAME,
    flow: createReferenceFlow({ env, meta }),
    redirectUri: env.redirectUri,
    ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
    ...(env.backchannelLogoutUri ? { backchannelLogoutUri: env.backchannelLogoutUri } : {}),
  });
  await listen(server, NAME, env.host, env.port);
});
