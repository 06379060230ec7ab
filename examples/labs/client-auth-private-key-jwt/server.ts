/**
 * Lab client-auth-private-key-jwt: a web client that fails `client-auth.private-key-jwt`. The exercise is
 * in README.md; everything not replaced here is the reference client (examples/labs/_base/), which
 * authenticates with a secret: this lab authenticates with a client assertion instead, built by hand.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readEnv } from '../../shared/env.js';
import { listen, runMain } from '../../shared/listen.js';
import { discover } from '../../reference-web/discovery.js';
import { createLabApp } from '../_base/app.js';
import { createLabFlow } from '../_base/flow.js';

const NAME = 'lab-client-auth-private-key-jwt';
const keyFile = JSON.parse(readFileSync(new URL('../../shared/example-client-key.json', import.meta.url), 'utf8')) as {
  privateJwk: Record<string, string>;
};
const privateKey = createPrivateKey({ key: keyFile.privateJwk, format: 'jwk' });

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

runMain(NAME, async () => {
  const env = readEnv(process.env);
  const meta = await discover(env.issuer);
  const flow = createLabFlow(env, meta, {
    tokenRequestTarget: (endpoint, e, body) => {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'ES256', kid: keyFile.privateJwk.kid };
      // The audience is the URL the client sends people to sign in at.
      const claims = {
        iss: e.clientId,
        sub: e.clientId,
        aud: meta.authorization_endpoint,
        iat: now,
        exp: now + 60,
        jti: randomBytes(16).toString('base64url'),
      };
      const input = `${b64(header)}.${b64(claims)}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      body.set('client_id', e.clientId);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', `${input}.${signature.toString('base64url')}`);
      return { url: endpoint, headers: {} };
    },
  });
  const server = createLabApp({ name: NAME, flow, redirectUri: env.redirectUri });
  await listen(server, NAME, env.host, env.port);
});
