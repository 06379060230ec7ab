/**
 * The FAPI 2.0-style reference web app on openid-client: a confidential client (client_secret_basic, or
 * private_key_jwt with `OAUTH_CLIENT_AUTH=private_key_jwt` as in target-private-key-jwt.json)
 * that pushes its authorization requests and sender-constrains its tokens with DPoP. Start:
 * `node --import tsx server.ts` with the environment its target.json sets.
 */
import { readFileSync } from 'node:fs';
import { importJWK } from 'jose';
import type { CustomFetch, PrivateKey } from 'openid-client';
import { readEnv } from '../shared/env.js';
import { listen, runMain } from '../shared/listen.js';
import { createWebApp } from '../shared/web-app.js';
import { configure, createFapi2Flow, type Fapi2Steps } from './flow.js';

/** The example client's private key (examples/shared/example-client-key.json), for private_key_jwt. */
async function exampleClientKey(): Promise<PrivateKey> {
  const file = new URL('../shared/example-client-key.json', import.meta.url);
  const { privateJwk } = JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: { kid: string; alg: string } };
  return { key: (await importJWK(privateJwk, privateJwk.alg)) as CryptoKey, kid: privateJwk.kid };
}

/** Starts the app; a lab passes the steps it replaces (and, for the HTTP layer, a fetch). */
export function runFapi2App(name: string, steps: Partial<Fapi2Steps> = {}, customFetch?: CustomFetch): void {
  runMain(name, async () => {
    const keyed = process.env.OAUTH_CLIENT_AUTH === 'private_key_jwt';
    const env = readEnv(process.env, { secretRequired: !keyed });
    const config = await configure(env, customFetch, keyed ? await exampleClientKey() : undefined);
    const server = createWebApp({ name, flow: createFapi2Flow(config, env, steps), redirectUri: env.redirectUri });
    await listen(server, name, env.host, env.port);
  });
}
