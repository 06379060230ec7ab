/**
 * The FAPI 2.0-style reference web app on openid-client: a confidential client (client_secret_basic, or
 * private_key_jwt with `OAUTH_CLIENT_AUTH=private_key_jwt` as in target-private-key-jwt.json)
 * that pushes its authorization requests and sender-constrains its tokens with DPoP. Start:
 * `node ../shared/run-ts.mjs main.ts` with the environment its target.json sets.
 */
import type { CustomFetch } from 'openid-client';
import { loadExampleClientKey } from '../shared/example-client-key.js';
import { readEnv } from '../shared/env.js';
import { listen, runMain } from '../shared/listen.js';
import { createWebApp } from '../shared/web-app.js';
import { configure, createFapi2Flow, type Fapi2Steps } from './flow.js';

/** Starts the app; a lab passes the steps it replaces (and, for the HTTP layer, a fetch). */
export function runFapi2App(name: string, steps: Partial<Fapi2Steps> = {}, customFetch?: CustomFetch): void {
  runMain(name, async () => {
    const keyed = process.env.OAUTH_CLIENT_AUTH === 'private_key_jwt';
    const env = readEnv(process.env, { secretRequired: !keyed });
    const config = await configure(env, customFetch, keyed ? await loadExampleClientKey() : undefined);
    const server = createWebApp({ name, flow: createFapi2Flow(config, env, steps), redirectUri: env.redirectUri });
    await listen(server, name, env.host, env.port);
  });
}
