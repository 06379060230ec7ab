import { VERIFIER_ABNF, verifierMatches } from '../pkce/pkce-rules.js';
import type { ProviderContext } from '../provider-context.js';
import type { CodeRecord } from '../store/grant-store.js';
import { createFamily, issueTokens } from '../tokens/issue-tokens.js';
import { storeRoundTrip, type GrantHandler, type GrantOutcome } from './grant-types.js';

/** RFC 9700 4.8: a failed PKCE verification burns the code (unless `failed-verifier-keeps-code`). */
function burn(ctx: ProviderContext, code: CodeRecord): void {
  if (!ctx.permissive.has('failed-verifier-keeps-code')) code.state = 'burned';
}

/** The check_pkce step of the token endpoint (RFC 7636 4.5, 4.6; RFC 9700 4.8.2). */
function checkPkce(ctx: ProviderContext, code: CodeRecord, verifier: string | undefined): GrantOutcome | undefined {
  const p = ctx.permissive;
  const fail = (error: 'invalid_grant' | 'invalid_request', description: string): GrantOutcome => {
    burn(ctx, code);
    return { ok: false, error, description, tag: code.tag };
  };
  if (p.has('verifier-not-checked')) return undefined;
  if (code.codeChallenge !== undefined) {
    if (verifier === undefined) {
      if (p.has('verifier-optional')) return undefined;
      return fail('invalid_grant', 'code_verifier required: the code was issued with a code_challenge (RFC 7636 4.5)');
    }
    if (!p.has('verifier-format-not-checked') && !VERIFIER_ABNF.test(verifier)) {
      return fail('invalid_request', 'code_verifier must be 43-128 unreserved characters (RFC 7636 4.1)');
    }
    if (!verifierMatches(verifier, code.codeChallenge, code.codeChallengeMethod ?? 'plain')) {
      return fail('invalid_grant', 'code_verifier does not match the code_challenge (RFC 7636 4.6)');
    }
    return undefined;
  }
  // A provider that does not know PKCE (no code_challenge_methods_supported) ignores the verifier.
  if (verifier !== undefined && ctx.built.pkceMethods.length > 0 && !p.has('verifier-without-challenge-accepted')) {
    return fail('invalid_grant', 'code_verifier sent for a code issued without code_challenge (RFC 9700 4.8.2)');
  }
  return undefined;
}

/**
 * The authorization_code grant (RFC 6749 4.1.3). Steps: find_code, check_code_state (single use; a
 * replay revokes everything the code issued, RFC 6749 4.1.2), check_expiry, check_client_binding,
 * check_redirect_uri (identical to the authorization request's), check_pkce, issue_tokens.
 */
export const authorizationCodeGrant: GrantHandler = async (ctx, { client, params, dpopJkt }) => {
  const value = params.code;
  if (!value) return { ok: false, error: 'invalid_request', description: 'code is missing' };
  const code = ctx.store.codes.get(value);
  if (!code) return { ok: false, error: 'invalid_grant', description: 'code is not valid' };
  const tag = code.tag;
  const p = ctx.permissive;

  if (code.state === 'burned') {
    return { ok: false, error: 'invalid_grant', description: 'code is no longer valid', tag };
  }
  if (code.state === 'redeemed' && !p.has('codes-reusable')) {
    if (code.familyId && !p.has('replay-does-not-revoke')) ctx.store.revokeFamily(code.familyId);
    return { ok: false, error: 'invalid_grant', description: 'code has already been used', tag };
  }
  if (code.expiresAt <= ctx.clock()) {
    return { ok: false, error: 'invalid_grant', description: 'code has expired', tag };
  }
  if (code.clientId !== client.clientId && !p.has('code-not-bound-to-client')) {
    return { ok: false, error: 'invalid_grant', description: 'code was issued to another client', tag };
  }
  if (params.redirect_uri !== code.redirectUri && !p.has('code-not-bound-to-redirect-uri')) {
    return {
      ok: false,
      error: 'invalid_grant',
      description: 'redirect_uri does not match the authorization request (RFC 6749 4.1.3)',
      tag,
    };
  }
  const pkceFailure = checkPkce(ctx, code, params.code_verifier);
  if (pkceFailure) return pkceFailure;
  // RFC 9449 10: a code bound to a DPoP key (dpop_jkt) is redeemed only with a proof of that key.
  if (code.dpopJkt !== undefined && code.dpopJkt !== dpopJkt) {
    return {
      ok: false,
      error: 'invalid_grant',
      description: 'the DPoP proof key is not the one the authorization request was bound to (RFC 9449 10)',
      tag,
    };
  }

  // Strict: nothing is awaited between the checks above and this write, so of two simultaneous
  // redemptions exactly one finds the code active (RFC 6749 4.1.2: used more than once, "MUST deny").
  if (p.has('code-redemption-race')) await storeRoundTrip();
  code.state = 'redeemed';
  const artifact = ctx.journal.artifact('code', value);
  if (artifact) artifact.redeemed = true;
  // With permissive `codes-reusable`, a second redemption joins the first one's family.
  const family =
    (code.familyId !== undefined ? ctx.store.families.get(code.familyId) : undefined) ??
    createFamily(ctx, {
      // The redeeming client (the same one unless permissive `code-not-bound-to-client`).
      clientId: client.clientId,
      sub: code.sub,
      scopes: code.scopes,
      authTime: code.authTime,
      tag,
      nonce: code.nonce,
    });
  code.familyId = family.id;
  const tokens = await issueTokens(ctx, {
    family,
    parent: value,
    includeRefresh: ctx.built.grantTypes.includes('refresh_token'),
    includeIdToken: ctx.built.oidc && code.scopes.includes('openid'),
    nonce: code.nonce,
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
    // RFC 9449 5: refresh tokens of public clients are bound to the DPoP key; confidential clients' are
    // bound to their client authentication already.
    bindRefresh: dpopJkt !== undefined && client.authMethod === 'none',
  });
  return { ok: true, body: tokens.body, tag };
};
