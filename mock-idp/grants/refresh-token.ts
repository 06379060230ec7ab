import { issueTokens } from '../tokens/issue-tokens.js';
import { storeRoundTrip, tokenRequestScopes, type GrantHandler } from './grant-types.js';

/**
 * The refresh_token grant (RFC 6749 6). Steps: find_refresh_token, detect_reuse (a rotated token used
 * again revokes the whole family, RFC 9700 4.14.2), check_client_binding, check_scope (may narrow, never
 * widen), rotate (the old token stops working), issue_tokens.
 */
export const refreshTokenGrant: GrantHandler = async (ctx, { client, params, dpopJkt }) => {
  const value = params.refresh_token;
  if (!value) return { ok: false, error: 'invalid_request', description: 'refresh_token is missing' };
  const record = ctx.store.tokens.get(value);
  if (!record || record.kind !== 'refresh_token') {
    return { ok: false, error: 'invalid_grant', description: 'refresh_token is not valid' };
  }
  const tag = record.tag;
  const p = ctx.permissive;
  if (record.revoked) return { ok: false, error: 'invalid_grant', description: 'refresh_token has been revoked', tag };
  if (record.expiresAt <= ctx.clock()) {
    return { ok: false, error: 'invalid_grant', description: 'refresh_token has expired', tag };
  }
  if (record.rotated) {
    if (!p.has('refresh-reuse-not-detected')) ctx.store.revokeFamily(record.familyId);
    return { ok: false, error: 'invalid_grant', description: 'refresh_token has already been used', tag };
  }
  if (record.clientId !== client.clientId && !p.has('refresh-not-bound-to-client')) {
    return { ok: false, error: 'invalid_grant', description: 'refresh_token was issued to another client', tag };
  }
  // RFC 9449 5: a refresh token bound to a DPoP key is used only with a proof of that key.
  if (record.jkt !== undefined && record.jkt !== dpopJkt && !p.has('dpop-refresh-not-bound')) {
    return {
      ok: false,
      error: 'invalid_grant',
      description: 'the refresh token is bound to a DPoP key; a proof of that key is required (RFC 9449 5)',
      tag,
    };
  }
  const family = ctx.store.families.get(record.familyId);
  if (!family || family.revoked) return { ok: false, error: 'invalid_grant', description: 'grant revoked', tag };

  const requested = tokenRequestScopes(ctx, params);
  if (requested !== undefined) {
    const wider = requested.filter((s) => !record.scopes.includes(s));
    if (wider.length > 0) {
      return {
        ok: false,
        error: 'invalid_scope',
        description: `refresh may not widen the scope (RFC 6749 6): ${wider.join(' ')}`,
        tag,
      };
    }
  }
  const scopes = requested && requested.length > 0 ? requested : record.scopes;
  const rotate = !p.has('no-refresh-rotation');
  // Strict: checked and rotated with nothing awaited in between, so one of two simultaneous refreshes wins.
  if (rotate && p.has('refresh-rotation-race')) await storeRoundTrip();
  if (rotate) record.rotated = true;
  const tokens = await issueTokens(ctx, {
    family,
    parent: value,
    includeRefresh: rotate,
    ...(rotate ? {} : { keepRefreshToken: value }),
    includeIdToken: ctx.built.oidc && scopes.includes('openid'),
    scopes,
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
    // A rotated refresh token stays bound to the key its predecessor was bound to.
    bindRefresh: record.jkt !== undefined,
    ...(record.jkt !== undefined ? { refreshJkt: record.jkt } : {}),
    refresh: true,
  });
  return { ok: true, body: tokens.body, tag };
};
