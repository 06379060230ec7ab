import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { obtainCode, postForm, REDIRECT_URI, startTestIdp } from '../testing/login-flow.js';
import type { ClientRegistration, PermissiveMode, RunningMockIdp } from '../types.js';
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.js';

const NOW = Date.parse('2026-03-01T10:00:00Z') / 1000;
let privateKey: CryptoKey;
let publicJwk: Record<string, unknown>;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  otherKey = (await generateKeyPair('ES256')).privateKey;
});

const running: RunningMockIdp[] = [];
afterEach(async () => {
  while (running.length) await running.pop()?.close();
});

function keyedClient(extra: Partial<ClientRegistration> = {}): ClientRegistration {
  return {
    clientId: 'keyed-client',
    authMethod: 'private_key_jwt',
    redirectUris: [REDIRECT_URI],
    jwks: { keys: [publicJwk] },
    ...extra,
  };
}

async function start(permissive: PermissiveMode[] = [], client = keyedClient()): Promise<RunningMockIdp> {
  const r = await startTestIdp({ permissive }, [client]);
  running.push(r);
  return r;
}

interface Claims {
  aud?: string;
  exp?: number;
  iat?: number;
  jti?: string;
  iss?: string;
  sub?: string;
}

let counter = 0;
async function assertion(idp: RunningMockIdp['idp'], over: Claims = {}, key: CryptoKey = privateKey): Promise<string> {
  const claims = {
    iss: 'keyed-client',
    sub: 'keyed-client',
    aud: idp.issuer,
    iat: NOW,
    exp: NOW + 60,
    jti: `jti-${++counter}`,
    ...over,
  };
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(key);
}

function unsigned(claims: Record<string, unknown>): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc(claims)}.`;
}

async function redeemWith(idp: RunningMockIdp['idp'], value: string, client = keyedClient()) {
  const { code, verifier } = await obtainCode(idp, client);
  return postForm(
    idp.endpoints.token,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: client.clientId,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: value,
    },
    { kind: 'nothing' },
  );
}

describe('private_key_jwt client authentication (RFC 7523)', () => {
  it('advertises private_key_jwt with asymmetric signing algorithms only', async () => {
    const { idp } = await start();
    expect(idp.metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    const algs = idp.metadata.token_endpoint_auth_signing_alg_values_supported as string[];
    expect(algs.length).toBeGreaterThan(0);
    expect(algs.some((a) => a.startsWith('HS') || a === 'none')).toBe(false);
  });

  it('issues tokens for an assertion signed by a registered key, with the issuer or the token endpoint as aud', async () => {
    const { idp } = await start();
    expect((await redeemWith(idp, await assertion(idp))).status).toBe(200);
    expect((await redeemWith(idp, await assertion(idp, { aud: idp.endpoints.token }))).status).toBe(200);
    const journaled = idp.journal.entries({ endpoint: 'token' }).at(-1)?.token;
    expect(journaled?.clientAuth).toBe('private_key_jwt');
    expect(journaled?.clientAssertion?.claims?.aud).toBe(idp.endpoints.token);
  });

  it('refuses an assertion for another audience, an expired one, one valid for hours, and one signed by another key', async () => {
    const { idp } = await start();
    const cases = [
      await assertion(idp, { aud: 'https://other.example' }),
      await assertion(idp, { iat: NOW - 600, exp: NOW - 300 }),
      await assertion(idp, { exp: NOW + 6 * 3600 }),
      await assertion(idp, {}, otherKey),
    ];
    for (const value of cases) {
      const answer = await redeemWith(idp, value);
      expect(answer.status).toBe(401);
      expect(answer.json.error).toBe('invalid_client');
    }
  });

  it('refuses an unsigned assertion (alg none) and a replayed jti', async () => {
    const { idp } = await start();
    const none = unsigned({ iss: 'keyed-client', sub: 'keyed-client', aud: idp.issuer, exp: NOW + 60, jti: 'n1' });
    expect((await redeemWith(idp, none)).status).toBe(401);
    const once = await assertion(idp);
    expect((await redeemWith(idp, once)).status).toBe(200);
    const again = await redeemWith(idp, once);
    expect(again.status).toBe(401);
    expect(String(again.json.error_description)).toContain('jti');
  });

  it('refuses a secret or no authentication from a client registered with keys', async () => {
    const { idp } = await start();
    const { code, verifier } = await obtainCode(idp, keyedClient());
    const answer = await postForm(
      idp.endpoints.token,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { kind: 'none', id: 'keyed-client' },
    );
    expect(answer.status).toBe(401);
  });

  it.each([
    ['client-assertion-aud-not-checked', { aud: 'https://other.example' }],
    ['client-assertion-exp-not-checked', { iat: NOW - 600, exp: NOW - 300 }],
  ] as const)('permissive %s accepts the assertion the strict mode refuses', async (mode, over) => {
    const { idp } = await start([mode]);
    expect((await redeemWith(idp, await assertion(idp, over))).status).toBe(200);
  });

  it('permissive client-assertion-replay-allowed accepts the same assertion twice', async () => {
    const { idp } = await start(['client-assertion-replay-allowed']);
    const once = await assertion(idp);
    expect((await redeemWith(idp, once)).status).toBe(200);
    expect((await redeemWith(idp, once)).status).toBe(200);
  });

  it('permissive client-assertion-alg-none-accepted accepts an unsigned assertion naming the client', async () => {
    const { idp } = await start(['client-assertion-alg-none-accepted']);
    const none = unsigned({ iss: 'keyed-client', sub: 'keyed-client', aud: idp.issuer, exp: NOW + 60, jti: 'n2' });
    expect((await redeemWith(idp, none)).status).toBe(200);
  });

  it('verifies against keys fetched from the jwks_uri a client registered', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = keyedClient({ jwks: undefined, jwksUri: `http://127.0.0.1:${port}/jwks` });
      const { idp } = await start([], client);
      expect((await redeemWith(idp, await assertion(idp), client)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses to register a private_key_jwt client with a private key, a secret, or no keys', async () => {
    const { idp } = await start();
    const withPrivate = { ...publicJwk, d: 'x' };
    expect(() => idp.registerClient(keyedClient({ jwks: { keys: [withPrivate] } }))).toThrow(/public/);
    expect(() => idp.registerClient(keyedClient({ clientSecret: 'shh' }))).toThrow(/no secret/);
    expect(() => idp.registerClient(keyedClient({ jwks: undefined }))).toThrow(/jwks/);
  });

  it('records the assertion as a secret, so it is redacted from anything kept', async () => {
    const { idp } = await start();
    const value = await assertion(idp);
    await redeemWith(idp, value);
    expect(idp.redact(`sent ${value}`)).not.toContain(value);
  });
});
