/**
 * The provider's logout family, end to end over loopback HTTP: a back-channel logout token checked with
 * jose as a relying party would, RP-initiated logout built by openid-client v6, and the impostor
 * discovery document. The `logout-token.*` and ID token faults are exercised in faults/faults.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from './backchannel.js';
import { login, REDIRECT_URI, startTestIdp } from '../testing/login-flow.js';
import { startMockIdp } from '../transports/node-server.js';
import type { ClientRegistration, RunningMockIdp } from '../types.js';

/** A relying party's back-channel logout URI that records what it receives and answers 200. */
let receiver: Server;
let receiverUrl: string;
const received: Array<{ contentType: string; body: string }> = [];

const RP: ClientRegistration = {
  clientId: 'bcl-rp',
  clientSecret: 'bcl-rp-secret-0123456789',
  authMethod: 'client_secret_basic',
  redirectUris: [REDIRECT_URI],
  postLogoutRedirectUris: ['http://127.0.0.1:8080/signed-out'],
};

let running: RunningMockIdp;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'] ?? '', body });
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel-logout`;
  running = await startTestIdp({ clock: Date.now }, [{ ...RP, backchannelLogoutUri: receiverUrl }]);
});

afterAll(async () => {
  await running?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function jwks(): Promise<ReturnType<typeof createLocalJWKSet>> {
  const set = (await (await fetch(running.idp.endpoints.jwks!)).json()) as JSONWebKeySet;
  return createLocalJWKSet(set);
}

/** Signs in with `tag` and has the provider send a logout token. */
async function logoutWith(tag: string) {
  const tokens = await login(running.idp, RP, { tag });
  const before = received.length;
  const delivery = await running.idp.logout.backchannel(tag);
  expect(received.length).toBe(before + 1);
  const last = received[received.length - 1];
  return { delivery, last, token: new URLSearchParams(last.body).get('logout_token') ?? '', tokens };
}

describe('back-channel logout', () => {
  it('advertises back-channel logout with sessions, and ID tokens name their session (sid)', async () => {
    expect(running.idp.metadata.backchannel_logout_supported).toBe(true);
    expect(running.idp.metadata.backchannel_logout_session_supported).toBe(true);
    const tokens = await login(running.idp, RP, { tag: 'sid-check' });
    expect(decodeJwt(tokens.json.id_token as string).sid).toEqual(expect.any(String));
  });

  it('posts a logout token a relying party can validate: iss, aud, iat, exp, jti, events, sub and sid', async () => {
    const { delivery, last, token, tokens } = await logoutWith('valid');
    expect(last.contentType).toBe('application/x-www-form-urlencoded');
    expect(delivery.status).toBe(200);
    expect(delivery.uri).toBe(receiverUrl);
    const { payload, protectedHeader } = await jwtVerify(token, await jwks(), {
      issuer: running.idp.issuer,
      audience: RP.clientId,
      algorithms: ['RS256'],
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'exp', 'jti', 'events'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
    expect(payload).not.toHaveProperty('nonce');
    const idToken = decodeJwt(tokens.json.id_token as string);
    expect(payload.sub).toBe(idToken.sub);
    expect(payload.sid).toBe(idToken.sid);
  });

  it('journals the delivery under the tag and redacts the logout token', async () => {
    const { token } = await logoutWith('journaled');
    const entries = running.idp.journal.entries({ tag: 'journaled', endpoint: 'backchannel-logout' });
    expect(entries).toHaveLength(1);
    expect(entries[0].response.status).toBe(200);
    expect(running.idp.journal.issued({ tag: 'journaled', kind: 'logout_token' }).map((a) => a.value)).toEqual([token]);
    expect(running.idp.redact(`token=${token}`)).not.toContain(token);
  });

  it('refuses a tag without a login', async () => {
    await expect(running.idp.logout.backchannel('no-such-login')).rejects.toThrow(/no login/);
  });
});

describe('RP-initiated logout built by openid-client v6', () => {
  it('follows only the registered post_logout_redirect_uri, echoes state, and notifies the back channel', async () => {
    const config = await oidc.discovery(
      new URL(running.idp.issuer),
      RP.clientId,
      undefined,
      oidc.ClientSecretBasic(RP.clientSecret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await login(running.idp, RP, { tag: 'rp-logout' });
    const before = received.length;
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.json.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/signed-out',
      state: 'bye',
    });
    const answer = await fetch(url, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('http://127.0.0.1:8080/signed-out?state=bye');
    expect(received.length).toBe(before + 1);

    const other = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.json.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/elsewhere',
    });
    const refused = await fetch(other, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
  });
});

describe('discovery.issuer-mismatch', () => {
  it('serves a document whose issuer differs from its URL and signs ID tokens with that issuer', async () => {
    const impostor = await startMockIdp({ discoveryFaults: ['discovery.issuer-mismatch'] });
    try {
      impostor.idp.registerClient(RP);
      const doc = (await (await fetch(impostor.idp.endpoints.discovery)).json()) as { issuer: string };
      expect(impostor.idp.endpoints.discovery.startsWith(`${impostor.idp.issuer}/.well-known/`)).toBe(true);
      expect(doc.issuer).toBe(`${impostor.idp.issuer}/impostor`);
      const tokens = await login(impostor.idp, RP, { tag: 'impostor' });
      expect(decodeJwt(tokens.json.id_token as string).iss).toBe(doc.issuer);
    } finally {
      await impostor.close();
    }
  });
});
