/**
 * Small HTTP helpers for tests that drive the mock provider over real loopback HTTP: start a provider
 * with clients, run the authorization step, call the token endpoint. Test code only.
 */
import { createHash } from 'node:crypto';
import { startMockIdp } from '../transports/node-server.js';
import {
  LOGIN_TAG_HEADER,
  type ClientRegistration,
  type ListenOptions,
  type MockIdp,
  type RunningMockIdp,
} from '../types.js';

export const REDIRECT_URI = 'http://127.0.0.1:8080/callback';

/** A public client (authMethod none), as an SPA or native app registers. */
export const PUBLIC_CLIENT: ClientRegistration = {
  clientId: 'spa-client',
  authMethod: 'none',
  redirectUris: [REDIRECT_URI],
  postLogoutRedirectUris: ['http://127.0.0.1:8080/signed-out'],
};

/** A confidential client with client_secret_basic; the secret has characters RFC 6749 2.3.1 form-encodes. */
export const BASIC_CLIENT: ClientRegistration = {
  clientId: 'web client',
  clientSecret: 'secret with space+plus/slash=',
  authMethod: 'client_secret_basic',
  redirectUris: [REDIRECT_URI],
};

/** A confidential client with client_secret_post. */
export const POST_CLIENT: ClientRegistration = {
  clientId: 'post-client',
  clientSecret: 'post-client-secret-0123456789',
  authMethod: 'client_secret_post',
  redirectUris: [REDIRECT_URI],
};

/** Starts a provider on loopback with the three test clients registered. */
export async function startTestIdp(
  opts: ListenOptions = {},
  clients: ClientRegistration[] = [PUBLIC_CLIENT, BASIC_CLIENT, POST_CLIENT],
): Promise<RunningMockIdp> {
  const running = await startMockIdp({ clock: () => Date.parse('2026-03-01T10:00:00Z'), ...opts });
  for (const client of clients) running.idp.registerClient(client);
  return running;
}

/** A PKCE verifier and its S256 challenge (RFC 7636 4.1, 4.2). */
export function pkcePair(label = 'v'): { verifier: string; challenge: string } {
  const verifier = createHash('sha256').update(label).digest('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** What the authorization endpoint answered. */
export interface AuthorizeAnswer {
  status: number;
  headers: Headers;
  location?: URL;
  body: string;
}

/** Fetches the authorization endpoint (without following the redirect). */
export async function authorize(
  idp: MockIdp,
  params: Record<string, string>,
  opts: { tag?: string; method?: 'GET' | 'POST'; headers?: Record<string, string> } = {},
): Promise<AuthorizeAnswer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.tag) headers[LOGIN_TAG_HEADER] = opts.tag;
  let response: Response;
  if (opts.method === 'POST') {
    response = await fetch(idp.endpoints.authorization, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
  } else {
    const url = new URL(idp.endpoints.authorization);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    response = await fetch(url, { redirect: 'manual', headers });
  }
  const location = response.headers.get('location');
  return {
    status: response.status,
    headers: response.headers,
    location: location ? new URL(location) : undefined,
    body: await response.text(),
  };
}

/** Standard parameters of a code+PKCE authorization request for `client`. */
export function codeRequest(
  client: ClientRegistration,
  extra: Record<string, string> = {},
  pkce = pkcePair(),
): Record<string, string> {
  return {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUris[0],
    scope: 'openid profile contact.read invoice.read',
    state: 'state-0123456789abcdef',
    nonce: 'nonce-0123456789abcdef',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** What the token endpoint answered, with the JSON body parsed when it is JSON. */
export interface TokenAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** Client authentication as a test wants to send it. */
export type TestClientAuth =
  | { kind: 'basic'; id: string; secret: string; raw?: boolean }
  | { kind: 'post'; id: string; secret: string }
  | { kind: 'none'; id: string }
  | { kind: 'nothing' };

/** The authentication a registered client normally uses. */
export function authOf(client: ClientRegistration): TestClientAuth {
  if (client.authMethod === 'client_secret_basic')
    return { kind: 'basic', id: client.clientId, secret: client.clientSecret ?? '' };
  if (client.authMethod === 'client_secret_post')
    return { kind: 'post', id: client.clientId, secret: client.clientSecret ?? '' };
  return { kind: 'none', id: client.clientId };
}

/** RFC 6749 2.3.1: id and secret are form-urlencoded, then joined with ':' and base64-encoded. */
export function basicHeader(id: string, secret: string, raw = false): string {
  const enc = (s: string): string => (raw ? s : new URLSearchParams({ v: s }).toString().slice(2));
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** POSTs to an endpoint (token, revocation, introspection) with form parameters and client auth. */
export async function postForm(
  url: string,
  params: Record<string, string>,
  auth: TestClientAuth,
  opts: { headers?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<TokenAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    ...(opts.headers ?? {}),
  };
  const body = new URLSearchParams(params);
  if (auth.kind === 'basic') headers.authorization = basicHeader(auth.id, auth.secret, auth.raw);
  if (auth.kind === 'post') {
    body.set('client_id', auth.id);
    body.set('client_secret', auth.secret);
  }
  if (auth.kind === 'none') body.set('client_id', auth.id);
  const target = new URL(url);
  for (const [k, v] of Object.entries(opts.query ?? {})) target.searchParams.set(k, v);
  const response = await fetch(target, { method: 'POST', headers, body });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Runs authorize (auto-approve) and returns the code, failing loudly if there is none. */
export async function obtainCode(
  idp: MockIdp,
  client: ClientRegistration,
  opts: { tag?: string; extra?: Record<string, string>; pkce?: { verifier: string; challenge: string } } = {},
): Promise<{ code: string; verifier: string; location: URL }> {
  const pkce = opts.pkce ?? pkcePair(`${client.clientId}|${opts.tag ?? ''}|${JSON.stringify(opts.extra ?? {})}`);
  const answer = await authorize(idp, codeRequest(client, opts.extra, pkce), { tag: opts.tag });
  const code = answer.location?.searchParams.get('code');
  if (!answer.location || !code) throw new Error(`no code: ${answer.status} ${answer.location?.href ?? answer.body}`);
  return { code, verifier: pkce.verifier, location: answer.location };
}

/** Redeems a code at the token endpoint with the client's own authentication. */
export function redeem(
  idp: MockIdp,
  client: ClientRegistration,
  code: string,
  verifier: string | undefined,
  extra: Record<string, string> = {},
): Promise<TokenAnswer> {
  return postForm(
    idp.endpoints.token,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUris[0],
      ...(verifier !== undefined ? { code_verifier: verifier } : {}),
      ...extra,
    },
    authOf(client),
  );
}

/** Refreshes at the token endpoint with the client's own authentication. */
export function refreshGrant(
  idp: MockIdp,
  client: ClientRegistration,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<TokenAnswer> {
  return postForm(
    idp.endpoints.token,
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
    authOf(client),
  );
}

/** The userinfo endpoint's status for a bearer access token (the body is read and dropped). */
export async function userinfoStatus(idp: MockIdp, accessToken: string): Promise<number> {
  const res = await fetch(idp.endpoints.userinfo!, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.arrayBuffer();
  return res.status;
}

/** A full login: authorize, redeem; returns the token response. */
export async function login(
  idp: MockIdp,
  client: ClientRegistration,
  opts: { tag?: string; extra?: Record<string, string> } = {},
): Promise<TokenAnswer> {
  const { code, verifier } = await obtainCode(idp, client, opts);
  return redeem(idp, client, code, verifier);
}
