/**
 * One full login as a public client does it: authorization request with PKCE S256 (RFC 7636 4.2),
 * following the provider's redirects (with a cookie jar, for providers that go through an interaction
 * page) until the redirect to the client's redirect URI, then the token request with the verifier
 * and a userinfo call with the access token. Every provider in the comparison is driven by this same
 * code, over the same `fetch`.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What a provider under test exposes to the flow. */
export interface FlowTarget {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

/** How the load is generated, recorded with the figures (it competes with the providers for CPU). */
export const GENERATOR = 'fetch (undici), a new cookie jar per flow';

const b64url = (buf: Buffer): string => buf.toString('base64url');

/** Runs one login; throws with the step that failed. */
export async function runFlow(t: FlowTarget): Promise<void> {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const auth = new URL(t.authorizationEndpoint);
  auth.search = new URLSearchParams({
    response_type: 'code',
    client_id: t.clientId,
    redirect_uri: t.redirectUri,
    scope: t.scope,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const jar = new Map<string, string>();
  let next = auth.toString();
  let callback: URL | undefined;
  for (let hop = 0; hop < 10 && !callback; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(sc)) jar.delete(name);
      else jar.set(name, value);
    }
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`authorization: expected a redirect, got ${res.status}`);
    }
    const target = new URL(location, next);
    if (target.href.startsWith(t.redirectUri)) callback = target;
    else next = target.href;
  }
  if (!callback) throw new Error('authorization: too many redirects');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`authorization: no code in ${callback.search}`);
  if (callback.searchParams.get('state') !== state) throw new Error('authorization: state not echoed');

  const tokenRes = await fetch(t.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: t.redirectUri,
      client_id: t.clientId,
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = (await tokenRes.json()) as { access_token?: string };
  if (tokenRes.status !== 200 || !tokens.access_token) throw new Error(`token: ${tokenRes.status}`);

  const ui = await fetch(t.userinfoEndpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const claims = (await ui.json()) as { sub?: string };
  if (ui.status !== 200 || !claims.sub) throw new Error(`userinfo: ${ui.status}`);
}
