/**
 * OpenID Connect Back-Channel Logout 1.0, the provider's side: when a person's provider session ends,
 * the provider posts a signed logout token to every client of that session that registered a
 * `backchannel_logout_uri` (section 2.5). The tag's `logout-token.*` fault, if armed, makes the token
 * invalid in exactly one way, so a client's validation (section 2.6) can be tested one rule at a time.
 */
import { SignJWT, base64url, type JWTPayload } from 'jose';
import { nowSeconds, type ProviderContext } from '../provider-context.js';
import type { TokenFamily } from '../store/grant-store.js';
import { sessionIdOf } from '../tokens/issue-tokens.js';
import { signJwt } from '../tokens/sign-tokens.js';
import type { BackchannelLogoutDelivery, FaultAt } from '../types.js';

/** The event member a logout token's `events` claim must hold (section 2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How long the provider waits for a client's back-channel answer. */
const DELIVERY_TIMEOUT_MS = 5_000;
/** Logout tokens live two minutes: long enough for delivery, short enough to be useless when replayed. */
const LOGOUT_TOKEN_TTL_S = 120;

/** The most recent grant of `tag`, or undefined. */
export function latestFamilyOf(ctx: ProviderContext, tag: string): TokenFamily | undefined {
  let latest: TokenFamily | undefined;
  for (const family of ctx.store.families.values()) if (family.tag === tag) latest = family;
  return latest;
}

/** Builds the logout token of one provider session with the tag's fault applied (section 2.4). */
async function logoutToken(
  ctx: ProviderContext,
  family: TokenFamily,
  fault: FaultAt<'logout token'> | undefined,
): Promise<{ token: string; claims: JWTPayload }> {
  const iat = nowSeconds(ctx);
  const claims: JWTPayload = {
    iss: ctx.built.issuer,
    sub: family.sub,
    aud: family.clientId,
    iat,
    exp: iat + LOGOUT_TOKEN_TTL_S,
    jti: ctx.values.next('logout_jti', family.tag),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...(ctx.built.backchannelLogout ? { sid: sessionIdOf(ctx, family) } : {}),
  };
  switch (fault?.name) {
    case 'logout-token.wrong-iss':
      claims.iss = 'https://issuer.invalid';
      break;
    case 'logout-token.wrong-aud':
      claims.aud = 'another-client.invalid';
      break;
    case 'logout-token.no-events':
      delete claims.events;
      break;
    case 'logout-token.wrong-event':
      claims.events = { 'http://schemas.openid.net/event/foobar': {} };
      break;
    case 'logout-token.nonce':
      claims.nonce = ctx.values.next('nonce', family.tag);
      break;
    case 'logout-token.expired':
      claims.iat = iat - 7200;
      claims.exp = iat - 3600;
      break;
    default:
      break;
  }
  // Section 2.4: explicit typing with `logout+jwt` keeps a logout token from being taken for an ID token.
  const typ = 'logout+jwt';
  switch (fault?.name) {
    case 'logout-token.alg-none': {
      const encode = (v: unknown): string => base64url.encode(JSON.stringify(v));
      return { token: `${encode({ alg: 'none', typ })}.${encode(claims)}.`, claims };
    }
    case 'logout-token.bad-signature': {
      const [header, body, signature] = (await signJwt(ctx, claims, { typ })).split('.');
      const bytes = Buffer.from(signature, 'base64url');
      for (let i = 0; i < bytes.length; i += 16) bytes[i] ^= 0x5a;
      return { token: `${header}.${body}.${bytes.toString('base64url')}`, claims };
    }
    case 'logout-token.hs256-public-key': {
      // RFC 8725 3.1 algorithm confusion: HMAC keyed with the bytes of the RSA public key in PEM (SPKI).
      const key = ctx.keys.current;
      const secret = new TextEncoder().encode(await ctx.keys.publicPem(key));
      const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ }).sign(secret);
      return { token, claims };
    }
    default:
      return { token: await signJwt(ctx, claims, { typ }), claims };
  }
}

/**
 * Posts a logout token for `family`'s session to its client's back-channel logout URI (section 2.5:
 * `application/x-www-form-urlencoded`, parameter `logout_token`) and journals the exchange as
 * endpoint `backchannel-logout` under the family's tag.
 */
export async function sendBackchannelLogout(
  ctx: ProviderContext,
  family: TokenFamily,
): Promise<BackchannelLogoutDelivery> {
  const client = ctx.clients.get(family.clientId);
  const uri = client?.backchannelLogoutUri;
  if (!uri) throw new Error(`client ${family.clientId} registered no backchannelLogoutUri`);
  const tag = family.tag;
  const fault = tag !== undefined ? ctx.faults.at(tag, 'logout token') : undefined;
  const { token, claims } = await logoutToken(ctx, family, fault);
  const at = ctx.clock();
  ctx.journal.recordIssued({ kind: 'logout_token', value: token, tag, clientId: family.clientId, at });
  const body = new URLSearchParams({ logout_token: token }).toString();
  const requestHeaders = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  let status = 0;
  let text = '';
  let responseHeaders: Record<string, string> = {};
  let error: string | undefined;
  try {
    // Section 2.5: the provider does not follow redirects from the back-channel URI.
    const res = await fetch(uri, {
      method: 'POST',
      headers: requestHeaders,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = res.status;
    responseHeaders = Object.fromEntries(res.headers);
    text = (await res.text()).slice(0, 2000);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  ctx.journal.record({
    at,
    ...(tag !== undefined ? { tag } : {}),
    endpoint: 'backchannel-logout',
    request: { method: 'POST', url: uri, headers: requestHeaders, body },
    response: { status, headers: responseHeaders, ...(text ? { body: text } : {}) },
  });
  return {
    uri,
    status,
    body: text,
    ...(error !== undefined ? { error } : {}),
    claims: { ...claims },
    ...(fault ? { fault: fault.name } : {}),
  };
}

/** `idp.logout.backchannel(tag)`: the provider session of the tag's latest login ends. */
export async function backchannelLogoutOfTag(ctx: ProviderContext, tag: string): Promise<BackchannelLogoutDelivery> {
  if (typeof tag !== 'string' || tag === '') throw new Error('logout.backchannel: tag must be a non-empty string');
  const family = latestFamilyOf(ctx, tag);
  if (!family) throw new Error(`logout.backchannel: no login of tag ${tag} is known`);
  return sendBackchannelLogout(ctx, family);
}
