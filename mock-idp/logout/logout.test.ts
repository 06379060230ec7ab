/**
 * The provider's logout family, end to end over loopback HTTP: a back-channel logout token checked with
 * jose as a relying party would, RP-initiated logout built by openid-client v6 (and followed to the
 * relying party's post-logout page, or refused with an error page), and the impostor discovery document.
 * The `logout-token.*` and ID token faults are exercised in faults/faults.test.ts.
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
    // The session the hint names ended: its logout token verifies with jose and names that session.
    const token = new URLSearchParams(received.at(-1)?.body).get('logout_token') ?? '';
    const { payload } = await jwtVerify(token, await jwks(), {
      issuer: running.idp.issuer,
      audience: RP.clientId,
      algorithms: ['RS256'],
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid'],
    });
    expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.sid).toBe(decodeJwt(tokens.json.id_token as string).sid);

    const other = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.json.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/elsewhere',
    });
    const refused = await fetch(other, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
  });
});

describe('RP-initiated logout followed by a user agent', () => {
  /** The relying party's post-logout page: records each arrival and answers 200. */
  let landing: Server;
  let landingUri: string;
  const arrivals: URL[] = [];
  const FOLLOWER: ClientRegistration = {
    clientId: 'rp-logout-follower',
    clientSecret: 'rp-logout-follower-secret-0123',
    authMethod: 'client_secret_basic',
    redirectUris: [REDIRECT_URI],
  };
  let config: oidc.Configuration;

  beforeAll(async () => {
    landing = createServer((req, res) => {
      arrivals.push(new URL(req.url ?? '/', landingUri));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('signed out');
    });
    await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
    landingUri = `http://127.0.0.1:${(landing.address() as AddressInfo).port}/signed-out`;
    running.idp.registerClient({ ...FOLLOWER, postLogoutRedirectUris: [landingUri] });
    config = await oidc.discovery(
      new URL(running.idp.issuer),
      FOLLOWER.clientId,
      undefined,
      oidc.ClientSecretBasic(FOLLOWER.clientSecret!),
      { execute: [oidc.allowInsecureRequests] },
    );
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => landing.close(() => resolve()));
  });

  it("builds the request against the provider's end_session_endpoint and lands at the registered URI with state", async () => {
    const tokens = await login(running.idp, FOLLOWER, { tag: 'rp-follow' });
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.json.id_token as string,
      post_logout_redirect_uri: landingUri,
      state: 'state-to-echo',
    });
    expect(`${url.origin}${url.pathname}`).toBe(running.idp.metadata.end_session_endpoint);
    expect(url.searchParams.get('client_id')).toBe(FOLLOWER.clientId);
    const before = arrivals.length;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${landingUri}?state=state-to-echo`);
    expect(arrivals.length).toBe(before + 1);
    expect(arrivals.at(-1)?.searchParams.get('state')).toBe('state-to-echo');
    const entry = running.idp.journal.entries({ tag: 'rp-follow', endpoint: 'end-session' }).at(-1);
    expect(entry?.response.status).toBe(302);
  });

  it('follows a client_id without id_token_hint to a registered URI too', async () => {
    const res = await fetch(oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: landingUri }));
    expect(res.status).toBe(200);
    expect(res.url).toBe(landingUri);
  });

  it('answers an unregistered URI, a foreign hint or a mismatched client_id with an error page, never a redirect', async () => {
    const tokens = await login(running.idp, FOLLOWER, { tag: 'rp-refused' });
    const hint = tokens.json.id_token as string;
    const refused = [
      oidc.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: `${landingUri}/elsewhere` }),
      oidc.buildEndSessionUrl(config, {
        id_token_hint: hint,
        post_logout_redirect_uri: landingUri.replace('127.0.0.1', 'localhost'),
      }),
      oidc.buildEndSessionUrl(config, { id_token_hint: `${hint}x`, post_logout_redirect_uri: landingUri }),
      oidc.buildEndSessionUrl(config, {
        id_token_hint: hint,
        client_id: RP.clientId,
        post_logout_redirect_uri: landingUri,
      }),
    ];
    const before = arrivals.length;
    for (const url of refused) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status, url.href).toBe(400);
      expect(res.headers.get('location'), url.href).toBeNull();
      expect(res.headers.get('content-type'), url.href).toMatch(/^text\/html/);
      expect(await res.text(), url.href).toContain('invalid_request');
    }
    expect(arrivals.length).toBe(before);
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
