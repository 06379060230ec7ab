import { createFamily, issueTokens } from '../tokens/issue-tokens.js';
import { tokenRequestScopes, type GrantHandler } from './grant-types.js';

/**
 * The resource owner password credentials grant (RFC 6749 4.3), served only with permissive mode
 * `ropc-enabled` (RFC 9700 2.4 says it MUST NOT be used). Any seeded user's e-mail with a non-empty
 * password signs in.
 */
export const passwordGrant: GrantHandler = async (ctx, { client, params, exchange }) => {
  const user = ctx.users.find((u) => u.email === params.username || u.preferred_username === params.username);
  if (!user || !params.password) {
    return { ok: false, error: 'invalid_grant', description: 'invalid resource owner credentials' };
  }
  const scopes = tokenRequestScopes(ctx, params) ?? client.scopes ?? [];
  const family = createFamily(ctx, {
    clientId: client.clientId,
    sub: user.sub,
    scopes,
    authTime: ctx.clock(),
    tag: exchange.headerTag,
  });
  const tokens = await issueTokens(ctx, {
    family,
    parent: 'password',
    includeRefresh: ctx.built.grantTypes.includes('refresh_token'),
    includeIdToken: ctx.built.oidc && scopes.includes('openid'),
  });
  return { ok: true, body: tokens.body, tag: exchange.headerTag };
};
