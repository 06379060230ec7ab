import { createFamily, issueTokens } from '../../tokens/issue-tokens.js';
import type { AuthorizationFlow } from './flow.js';

/** The steps that approve the request and build the redirect back to the client. */

/** Auto-approval: the first seeded user signs in. */
export function pickFirstUser(flow: AuthorizationFlow): void {
  flow.user = flow.ctx.users[0];
}

/** Issues the code, bound to client, redirect_uri, PKCE challenge, nonce and login tag (RFC 6749 4.1.2). */
export function issueCode(flow: AuthorizationFlow): void {
  if (flow.responseType !== 'code') return;
  const { ctx, tag } = flow;
  const now = ctx.clock();
  const code = ctx.values.next('code', tag);
  const clientId = flow.client!.clientId;
  const redirectUri = flow.redirectUri!;
  const scopes = flow.scopes!;
  const { codeChallenge, codeChallengeMethod } = flow;
  const nonce = flow.params.nonce;
  const dpopJkt = flow.pushed?.dpopJkt ?? flow.params.dpop_jkt;
  ctx.store.codes.set(code, {
    value: code,
    clientId,
    redirectUri,
    scopes,
    sub: flow.user!.sub,
    authTime: now,
    expiresAt: now + ctx.settings.codeTtl * 1000,
    tag,
    nonce,
    codeChallenge,
    codeChallengeMethod,
    state: 'active',
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
  });
  ctx.journal.recordIssued({
    kind: 'code',
    value: code,
    tag,
    clientId,
    at: now,
    codeChallenge,
    codeChallengeMethod,
    nonce,
    redirectUri,
    scope: scopes.join(' '),
    redeemed: false,
  });
  flow.response = { code };
}

/** Permissive `implicit-enabled`: the access token itself, in the fragment (RFC 6749 4.2.2). */
export async function issueImplicitToken(flow: AuthorizationFlow): Promise<void> {
  if (flow.responseType !== 'token') return;
  const { ctx, tag } = flow;
  const scopes = flow.scopes!;
  const family = createFamily(ctx, {
    clientId: flow.client!.clientId,
    sub: flow.user!.sub,
    scopes,
    authTime: ctx.clock(),
    tag,
    nonce: flow.params.nonce,
  });
  const tokens = await issueTokens(ctx, { family, parent: 'implicit', includeRefresh: false, includeIdToken: false });
  flow.response = {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: String(tokens.body.expires_in),
    scope: scopes.join(' '),
  };
  flow.responseIn = 'fragment';
}

/** Returns the request's `state` unchanged (RFC 6749 4.1.2; also on error redirects, 4.1.2.1). */
export function echoState(flow: AuthorizationFlow): void {
  const state = flow.params.state;
  if (state !== undefined) flow.response.state = state;
}

/** RFC 9207 `iss`, when the metadata advertises it. */
export function sendIss(flow: AuthorizationFlow): void {
  if (flow.ctx.built.issParameter) flow.response.iss = flow.ctx.built.issuer;
}

/** Permissive `iss-param-wrong`: RFC 9207 is advertised, but `iss` names another issuer. */
export function sendWrongIss(flow: AuthorizationFlow): void {
  if (flow.ctx.built.issParameter) flow.response.iss = 'https://issuer.invalid';
}
