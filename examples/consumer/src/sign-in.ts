/**
 * The code under test in this example: a tiny OAuth 2.0 + PKCE client for lexoffice, hard-wired to
 * https://login.lexoffice.io as real integrations are. Its unit test runs it against the mock provider
 * through msw, without changing a line here.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SignInOptions {
  issuer?: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
}

export interface SignedIn {
  sub: string;
  /** What the token endpoint answered, for the test to inspect. */
  tokenType: string;
}

const b64url = (b: Buffer): string => b.toString('base64url');

/** Signs in a person non-interactively (the provider approves at once) and reads their userinfo. */
export async function signIn(opts: SignInOptions): Promise<SignedIn> {
  const issuer = opts.issuer ?? 'https://login.lexoffice.io';
  const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const authorize = new URL(meta.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    scope: opts.scope ?? 'openid profile',
    state,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const location = redirect.headers.get('location');
  if (redirect.status !== 302 || !location) throw new Error(`authorization refused: ${redirect.status}`);
  const callback = new URL(location);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${callback.searchParams.get('error') ?? 'unknown error'}`);
  const tokenResponse = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: opts.redirectUri,
      client_id: opts.clientId,
      code_verifier: verifier,
    }),
  });
  if (!tokenResponse.ok) throw new Error(`token request refused: ${tokenResponse.status}`);
  const token = (await tokenResponse.json()) as { access_token: string; token_type: string };
  const userinfo = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${token.access_token}` } });
  const claims = (await userinfo.json()) as { sub: string };
  return { sub: claims.sub, tokenType: token.token_type };
}
