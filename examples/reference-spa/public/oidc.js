// OAuth 2.0 authorization code + PKCE and OpenID Connect ID token validation for a browser public
// client, on WebCrypto and fetch only. No storage and no DOM in this file: app.js decides what is kept
// where. Types: oidc.d.ts.

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A sign-in that must be refused; `message` is safe to show (set as text, never as HTML). */
export class LoginError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LoginError';
  }
}

export function base64UrlEncode(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new LoginError('The ID token is not valid base64url.');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** 256 bits from the CSPRNG as 43 base64url characters: state, nonce and PKCE verifier (RFC 7636 4.1). */
export function randomToken() {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
}

/** RFC 7636 4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export async function s256(verifier) {
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(verifier))));
}

/** Reads `<issuer>/.well-known/openid-configuration` and checks the issuer matches exactly (OIDC Discovery 4.3). */
export async function discover(issuer) {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
  });
  if (res.status !== 200) throw new LoginError(`The provider's metadata could not be read (status ${res.status}).`);
  const meta = await res.json();
  if (!meta || typeof meta !== 'object') throw new LoginError("The provider's metadata is not a JSON object.");
  if (meta.issuer !== issuer) throw new LoginError("The provider's metadata names another issuer.");
  for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
    if (typeof meta[key] !== 'string') throw new LoginError(`The provider's metadata has no ${key}.`);
  }
  return meta;
}

/**
 * RFC 7636 4.2 and 7.2: S256 or nothing. Metadata that lists PKCE methods without S256 means this
 * client does not sign in at all rather than falling back to plain.
 */
export function supportsS256(meta) {
  const methods = meta.code_challenge_methods_supported;
  return !Array.isArray(methods) || methods.includes('S256');
}

/**
 * A fresh login's secrets: state, nonce and verifier, and the S256 challenge. Computed without the
 * provider's metadata, so a page can prepare them while discovery is still loading.
 */
export async function prepareLogin(config) {
  const pending = { state: randomToken(), codeVerifier: randomToken() };
  if (config.scopes.includes('openid')) pending.nonce = randomToken();
  return { pending, challenge: await s256(pending.codeVerifier) };
}

/** The authorization request URL (RFC 6749 4.1.1, RFC 7636 4.3) for a prepared login. */
export function authorizationUrl(meta, config, prepared) {
  if (!supportsS256(meta)) {
    throw new LoginError('The provider does not support PKCE with S256, and this client never falls back to plain.');
  }
  const { pending, challenge } = prepared;
  const url = new URL(meta.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (pending.nonce) url.searchParams.set('nonce', pending.nonce);
  return url.href;
}

/** A fresh login and its authorization URL. */
export async function beginLogin(meta, config) {
  const prepared = await prepareLogin(config);
  return { url: authorizationUrl(meta, config, prepared), pending: prepared.pending };
}

function constantTimeEqual(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Validates the authorization response and returns the code. `pending` is the login this tab started,
 * or null. Order: issuer (RFC 9207 2.4), error response (RFC 6749 4.1.2.1), state, code.
 */
export function validateCallback(params, pending, meta) {
  const iss = params.get('iss');
  if (meta.authorization_response_iss_parameter_supported === true && iss === null) {
    throw new LoginError('The response does not name its issuer (iss).');
  }
  if (iss !== null && iss !== meta.issuer) throw new LoginError('The response comes from another issuer (iss).');
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    throw new LoginError(`The provider answered: ${error}${description ? ` (${description})` : ''}`);
  }
  if (!pending) throw new LoginError('No sign-in was started in this tab.');
  const state = params.get('state');
  if (state === null) throw new LoginError('The response carries no state.');
  if (!constantTimeEqual(state, pending.state)) {
    throw new LoginError('The response does not belong to the sign-in started in this tab (state).');
  }
  const code = params.get('code');
  if (!code) throw new LoginError('The response carries no authorization code.');
  return code;
}

/** POSTs to the token endpoint as a public client and validates the answer (RFC 6749 5.1, 5.2). */
export async function tokenRequest(meta, config, params) {
  const body = new URLSearchParams({ ...params, client_id: config.clientId });
  let res;
  try {
    res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
  } catch {
    throw new LoginError('The provider could not be reached.');
  }
  let json;
  try {
    json = JSON.parse(await res.text());
  } catch {
    throw new LoginError(`The token endpoint answered with something other than JSON (status ${res.status}).`);
  }
  if (!res.ok) {
    const what = json && typeof json.error === 'string' ? json.error : `status ${res.status}`;
    throw new LoginError(`The token endpoint refused the request: ${what}`);
  }
  if (!json || typeof json.access_token !== 'string' || json.access_token === '') {
    throw new LoginError('The token response has no access token.');
  }
  // RFC 6749 7.1: compared case-insensitively; only Bearer is usable here.
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') {
    throw new LoginError('The token response has an unusable token_type.');
  }
  for (const key of ['refresh_token', 'id_token']) {
    if (json[key] !== undefined && typeof json[key] !== 'string')
      throw new LoginError(`The token response's ${key} is malformed.`);
  }
  const expiresIn = json.expires_in === undefined ? undefined : Number(json.expires_in);
  if (expiresIn !== undefined && !(expiresIn >= 0))
    throw new LoginError("The token response's expires_in is malformed.");
  return {
    accessToken: json.access_token,
    refreshToken: json.refresh_token,
    idToken: json.id_token,
    expiresIn,
  };
}

/** A JWKS cache that refetches when a token names a key it does not hold (OIDC Core 10.1.1). */
export function createJwks(jwksUri) {
  let keys;
  async function load() {
    const res = await fetch(jwksUri, { headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new LoginError(`The provider's keys could not be read (status ${res.status}).`);
    const body = await res.json();
    keys = Array.isArray(body?.keys) ? body.keys : [];
  }
  function pick(kid) {
    return (keys ?? []).find(
      (k) =>
        k.kty === 'RSA' &&
        (kid === undefined || k.kid === kid) &&
        (k.use === undefined || k.use === 'sig') &&
        (k.alg === undefined || k.alg === 'RS256'),
    );
  }
  return {
    async key(kid) {
      if (!keys) await load();
      let jwk = pick(kid);
      if (!jwk) {
        await load();
        jwk = pick(kid);
      }
      if (!jwk) throw new LoginError('The ID token is signed with a key the provider does not publish.');
      return crypto.subtle.importKey(
        'jwk',
        { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['verify'],
      );
    },
  };
}

function decodeJson(part) {
  try {
    const value = JSON.parse(dec.decode(base64UrlDecode(part)));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw new LoginError('The ID token is malformed.');
}

/**
 * OIDC Core 3.1.3.7: RS256 signature (and nothing else: `none` in any casing and HS256 are refused,
 * RFC 8725 3.1), iss, aud, azp, exp, iat, nonce. Returns the claims.
 */
export async function verifyIdToken(idToken, { issuer, clientId, nonce, jwks, now = Date.now() }) {
  const parts = idToken.split('.');
  if (parts.length !== 3) throw new LoginError('The ID token is not a signed JWT.');
  const header = decodeJson(parts[0]);
  if (header.alg !== 'RS256') throw new LoginError('The ID token is not signed with RS256.');
  const key = await jwks.key(typeof header.kid === 'string' ? header.kid : undefined);
  const ok = await crypto.subtle.verify(
    'RSASSA-PKCS1-v1_5',
    key,
    base64UrlDecode(parts[2]),
    enc.encode(`${parts[0]}.${parts[1]}`),
  );
  if (!ok) throw new LoginError('The ID token signature is invalid.');
  const claims = decodeJson(parts[1]);
  if (claims.iss !== issuer) throw new LoginError('The ID token comes from another issuer.');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(clientId)) throw new LoginError('The ID token is meant for another client (aud).');
  if (aud.length > 1 && claims.azp !== clientId)
    throw new LoginError('The ID token was issued to another party (azp).');
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) throw new LoginError('The ID token has expired.');
  if (typeof claims.iat !== 'number') throw new LoginError('The ID token has no issue time.');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new LoginError('The ID token has no subject.');
  if (nonce !== undefined && !constantTimeEqual(claims.nonce, nonce)) {
    throw new LoginError('The ID token does not belong to this sign-in (nonce).');
  }
  return claims;
}

/** OIDC Core 5.3.2: userinfo is used only when its sub is the ID token's. */
export async function fetchUserInfo(meta, accessToken, expectedSub) {
  const res = await fetch(meta.userinfo_endpoint, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  if (res.status !== 200) throw new LoginError(`The userinfo endpoint answered ${res.status}.`);
  const info = await res.json().catch(() => undefined);
  if (!info || typeof info.sub !== 'string') throw new LoginError('The userinfo response is malformed.');
  if (expectedSub !== undefined && info.sub !== expectedSub) {
    throw new LoginError('The userinfo response is about someone else (sub).');
  }
  return info;
}

/**
 * OIDC RP-Initiated Logout 1.0 section 2: the logout request to the provider's end_session_endpoint,
 * with the ID token as hint (RECOMMENDED with a post-logout URI), the client id, the registered
 * post-logout URI (exactly as registered) and a fresh state. Undefined when the provider has no
 * end_session_endpoint or this client has no registered post-logout URI: then signing out ends only
 * this app's session.
 */
export function endSessionUrl(meta, config, { idToken, state }) {
  if (!meta.end_session_endpoint || !config.postLogoutRedirectUri) return undefined;
  const url = new URL(meta.end_session_endpoint);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);
  url.searchParams.set('state', state);
  return url.href;
}

/**
 * Whether a return to the post-logout URI belongs to the sign-out this tab started: its `state` is
 * the one sent (section 2: the provider passes it back unchanged). `expected` is null when this tab
 * started none.
 */
export function isOwnLogoutReturn(params, expected) {
  return typeof expected === 'string' && constantTimeEqual(params.get('state'), expected);
}

/** RFC 7009: revokes one token as a public client. */
export async function revokeToken(meta, config, token, hint) {
  if (!meta.revocation_endpoint) return;
  await fetch(meta.revocation_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: hint, client_id: config.clientId }),
  });
}
