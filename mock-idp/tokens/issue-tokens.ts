import { nowSeconds, type ProviderContext } from '../provider-context.js';
import type { TokenFamily } from '../store/grant-store.js';
import { atHash, signIdToken, signJwt } from './sign-tokens.js';

/** What a grant is issuing tokens for. */
export interface IssueInput {
  family: TokenFamily;
  /** The code or refresh token the tokens come from (journaled as `parent`). */
  parent: string;
  includeRefresh: boolean;
  /** Whether an ID token is issued (OpenID Connect profile and `openid` granted). */
  includeIdToken: boolean;
  /** The authorization request's nonce; left out of ID tokens issued on refresh. */
  nonce?: string;
  /** Reuse this refresh token instead of rotating (permissive `no-refresh-rotation`). */
  keepRefreshToken?: string;
  /** Narrower scopes for this access token (a refresh request may narrow, never widen: RFC 6749 6). */
  scopes?: string[];
  /** RFC 9449 6: bind the access token to this DPoP key (`cnf.jkt`, `token_type` DPoP). */
  dpopJkt?: string;
  /** RFC 9449 5: bind the new refresh token to the DPoP key too (public clients). */
  bindRefresh?: boolean;
  /** The key a rotated refresh token stays bound to (default: `dpopJkt`). */
  refreshJkt?: string;
  /** The tokens answer a refresh request (the `id-token.refresh-claims` fault applies only then). */
  refresh?: boolean;
}

export interface IssuedTokens {
  /** The token response body (RFC 6749 5.1), in the lexoffice.login paper's member order. */
  body: Record<string, string | number>;
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
}

/**
 * The provider session a family of tokens belongs to (`sid`, OIDC Front-/Back-Channel Logout): one per
 * login, derived when first asked, so refreshed ID tokens name the same session.
 */
export function sessionIdOf(ctx: ProviderContext, family: TokenFamily): string {
  family.sid ??= ctx.values.next('sid', family.tag);
  return family.sid;
}

/** Starts a grant's family of tokens. */
export function createFamily(
  ctx: ProviderContext,
  init: Omit<TokenFamily, 'id' | 'accessTokens' | 'refreshTokens' | 'revoked'>,
): TokenFamily {
  // Every member named (`sid` too, set later): one object shape for all families, which a store of
  // thousands keeps compact; spreading `init` made objects of varying shapes.
  const family: TokenFamily = {
    clientId: init.clientId,
    sub: init.sub,
    scopes: init.scopes,
    authTime: init.authTime,
    tag: init.tag,
    nonce: init.nonce,
    sid: init.sid,
    id: ctx.values.next('family', init.tag),
    accessTokens: new Set(),
    refreshTokens: new Set(),
    revoked: false,
  };
  ctx.store.families.set(family.id, family);
  return family;
}

/**
 * Issues an access token (an RS256 JWT as the paper shows, RFC 9068 shape, deterministic `jti`), a
 * refresh token and, for OpenID Connect, an ID token. Applies the tag's `token.short-lived` (advertised
 * lifetime only) and `id-token.*` faults.
 */
export async function issueTokens(ctx: ProviderContext, input: IssueInput): Promise<IssuedTokens> {
  const { family } = input;
  const tag = family.tag;
  const iat = nowSeconds(ctx);
  const shortLived = ctx.faults.get(tag, 'token.short-lived');
  const expiresIn = shortLived ? shortLived.expiresIn : ctx.settings.accessTokenTtl;
  const scopes = input.scopes ?? family.scopes;
  const scope = scopes.join(' ');
  const at = ctx.clock();

  let accessToken: string;
  let jti: string | undefined;
  if (ctx.permissive.has('low-entropy-tokens')) {
    accessToken = ctx.values.next('access_token', tag);
  } else {
    jti = ctx.values.next('jti', tag);
    accessToken = await signJwt(
      ctx,
      {
        iss: ctx.built.issuer,
        sub: family.sub,
        aud: ctx.built.apiBaseUrl,
        client_id: family.clientId,
        scope,
        iat,
        exp: iat + expiresIn,
        jti,
        ...(input.dpopJkt !== undefined ? { cnf: { jkt: input.dpopJkt } } : {}),
      },
      // RS256 as the lexoffice.login paper shows, whatever the ID token algorithm is.
      { typ: 'at+jwt', alg: 'RS256' },
    );
  }
  ctx.store.addToken({
    value: accessToken,
    kind: 'access_token',
    clientId: family.clientId,
    sub: family.sub,
    scopes,
    issuedAt: at,
    // token.short-lived: the short life is advertised, not enforced, so a slow login cannot race the
    // clock; the check ends it with faults.expireAccessTokens (at the latest, the normal lifetime ends it).
    expiresAt: at + (shortLived ? Math.max(expiresIn, ctx.settings.accessTokenTtl) : expiresIn) * 1000,
    ...(shortLived ? { advertisedExpiresAt: at + expiresIn * 1000 } : {}),
    familyId: family.id,
    tag,
    jti,
    revoked: false,
    ...(input.dpopJkt !== undefined ? { jkt: input.dpopJkt } : {}),
  });
  ctx.journal.recordIssued({
    kind: 'access_token',
    value: accessToken,
    tag,
    clientId: family.clientId,
    at,
    parent: input.parent,
    scope,
  });

  const body: Record<string, string | number> = {
    access_token: accessToken,
    // RFC 9449 5: a DPoP-bound access token has token_type DPoP.
    token_type: input.dpopJkt !== undefined ? 'DPoP' : 'Bearer',
    expires_in: expiresIn,
  };
  const refreshJkt = input.bindRefresh ? (input.refreshJkt ?? input.dpopJkt) : undefined;

  let refreshToken: string | undefined;
  if (input.keepRefreshToken) {
    refreshToken = input.keepRefreshToken;
  } else if (input.includeRefresh) {
    refreshToken = ctx.values.next('refresh_token', tag);
    ctx.store.addToken({
      value: refreshToken,
      kind: 'refresh_token',
      clientId: family.clientId,
      sub: family.sub,
      scopes: family.scopes,
      issuedAt: at,
      expiresAt: at + ctx.settings.refreshTokenTtl * 1000,
      familyId: family.id,
      tag,
      revoked: false,
      ...(refreshJkt !== undefined ? { jkt: refreshJkt } : {}),
    });
    ctx.journal.recordIssued({
      kind: 'refresh_token',
      value: refreshToken,
      tag,
      clientId: family.clientId,
      at,
      parent: input.parent,
      scope,
    });
  }
  if (refreshToken) body.refresh_token = refreshToken;
  body.scope = scope;

  if (input.includeIdToken) {
    const claims = {
      iss: ctx.built.issuer,
      sub: family.sub,
      aud: family.clientId,
      exp: iat + ctx.settings.idTokenTtl,
      iat,
      auth_time: Math.floor(family.authTime / 1000),
      ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
      at_hash: atHash(accessToken, ctx.built.idTokenAlg),
      // OIDC Back-Channel Logout 2.1: with backchannel_logout_session_supported, every ID token names its session.
      ...(ctx.built.backchannelLogout ? { sid: sessionIdOf(ctx, family) } : {}),
    };
    const armed = ctx.faults.at(tag, 'ID token');
    // OIDC Core 12.2 concerns refreshed ID tokens: the login's own ID token stays as it should be.
    const fault = armed?.name === 'id-token.refresh-claims' && !input.refresh ? undefined : armed;
    const idToken = await signIdToken(ctx, claims, fault, tag);
    ctx.store.addIdToken(idToken, family.id);
    ctx.journal.recordIssued({
      kind: 'id_token',
      value: idToken,
      tag,
      clientId: family.clientId,
      at,
      parent: input.parent,
      scope,
    });
    body.id_token = idToken;
    return { body, accessToken, refreshToken, idToken };
  }
  return { body, accessToken, refreshToken };
}
