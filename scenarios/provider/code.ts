/**
 * Authorization code checks (RFC 6749 4.1.2, 4.1.3, 10.5): a code is used once, replay revokes what it
 * issued, and it is bound to the client and redirect URI it was issued for.
 */
import { defineProviderCheck } from '../define.js';
import { fail, notApplicable, pass, tokenData } from './verdicts.js';

export const codeSingleUse = defineProviderCheck({
  id: 'provider.code.single-use',
  title: 'An authorization code works once',
  severity: 'high',
  refs: ['RFC6749-4.1.2', 'RFC6749-10.5'],
  requirement: {
    text: 'If an authorization code is used more than once, the authorization server MUST deny the request.',
    level: 'MUST',
    ref: 'RFC6749-4.1.2',
  },
  must: 'a code works once',
  rationale:
    'Codes travel through the browser and end up in logs, history and Referer headers. If a code can be redeemed again, anyone who finds it later gets tokens.',
  remediation:
    'Mark a code used atomically when it is redeemed and refuse every later request for it with `invalid_grant`.',
  catches: ['codes-reusable'],
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.login();
    ctx.observe('The first redemption of the code succeeded.');
    const again = await client.redeem(pending, code);
    ctx.observe(`Redeeming the same code a second time: ${again.status}.`, tokenData(again));
    if (again.ok) return fail('The provider issued tokens for the same code twice.');
    return pass('The second redemption of the code was refused.');
  },
});

export const codeReplayRevokes = defineProviderCheck({
  id: 'provider.code.replay-revokes',
  title: 'A replayed code revokes the tokens issued from it',
  severity: 'medium',
  refs: ['RFC6749-4.1.2', 'RFC9700-4.2.4'],
  requirement: {
    text: '[...] and SHOULD revoke (when possible) all tokens previously issued based on that authorization code.',
    level: 'SHOULD',
    ref: 'RFC6749-4.1.2',
  },
  must: 'a replayed code revokes the tokens issued from it',
  rationale:
    'A second redemption of a code means two parties hold it, and one of them is an attacker, possibly the one who redeemed first. RFC 6749 4.1.2 says the provider SHOULD then revoke the tokens already issued from the code.',
  remediation:
    'Remember which tokens a code issued; when the used code is presented again, revoke them (the whole grant).',
  catches: ['replay-does-not-revoke'],
  async run(ctx) {
    const client = ctx.client();
    const first = await client.login();
    const at = first.tokens.accessToken as string;
    const before = await client.accessTokenActive(at, ctx.clients.confidential);
    const rt = first.tokens.refreshToken;
    if (before === undefined && !rt) {
      return notApplicable(
        'The provider offers no way to tell whether a token is still valid (no API, userinfo, introspection or refresh token).',
      );
    }
    if (before === false) {
      ctx.observe('The freshly issued access token was not accepted by the resource.');
    }
    const again = await client.redeem(first.pending, first.code);
    ctx.observe(`Replaying the code: ${again.status}.`, tokenData(again));
    if (again.ok) {
      return notApplicable(
        'The replayed code was accepted (see provider.code.single-use), so the provider did not treat it as a replay.',
      );
    }
    if (before === true) {
      const after = await client.accessTokenActive(at, ctx.clients.confidential);
      ctx.observe(
        `After the replay, the access token issued from the code is ${after ? 'still accepted' : 'refused'}.`,
      );
      if (after === true) return fail('After the code was replayed, the access token issued from it still worked.');
      if (after === false) return pass('After the code was replayed, the access token issued from it was refused.');
    }
    if (rt) {
      const r = await client.refresh(rt);
      ctx.observe(
        `After the replay, refreshing with the refresh token issued from the code: ${r.status}.`,
        tokenData(r),
      );
      if (r.ok) return fail('After the code was replayed, the refresh token issued from it still worked.');
      return pass('After the code was replayed, the refresh token issued from it was refused.');
    }
    return notApplicable('Whether the tokens were revoked could not be observed.');
  },
});

export const codeBoundClient = defineProviderCheck({
  id: 'provider.code.bound-client',
  title: 'A code cannot be redeemed by another client',
  severity: 'critical',
  refs: ['RFC6749-4.1.3-3'],
  requirement: {
    text: 'The authorization server MUST ensure that the authorization code was issued to the authenticated confidential client, or if the client is public, ensure that the code was issued to "client_id" in the request.',
    level: 'MUST',
    ref: 'RFC6749-4.1.3-3',
  },
  must: 'a code cannot be redeemed by another client',
  rationale:
    'RFC 6749 4.1.3 requires the provider to ensure that the code was issued to the client that redeems it. Otherwise a malicious client registered at the same provider can redeem codes stolen from an honest one.',
  remediation:
    'Store the client id with the code and refuse redemption by any other (authenticated) client with `invalid_grant`.',
  needs: ['second-client'],
  catches: ['code-not-bound-to-client'],
  async run(ctx) {
    const client = ctx.client();
    const second = ctx.clients.second;
    if (!second) return notApplicable('No second client is registered.');
    const { pending, code } = await client.obtainCode();
    const t = await client.redeem(pending, code, { client: second });
    ctx.observe(
      `Redeeming the ${client.client.label} client's code as the second client (${second.id}): ${t.status}.`,
      tokenData(t),
    );
    if (t.ok) return fail('The provider issued tokens to a different client than the one the code was issued to.');
    return pass("The second client could not redeem the first client's code.");
  },
});

/** A redirect URI that differs from `uri` in its path only. */
export function otherPath(uri: string): string {
  const u = new URL(uri);
  u.pathname = `${u.pathname.replace(/\/$/, '')}-other`;
  return u.href;
}

export const codeBoundRedirectUri = defineProviderCheck({
  id: 'provider.code.bound-redirect-uri',
  title: 'A code is bound to its redirect URI',
  severity: 'high',
  refs: ['RFC6749-4.1.3-5'],
  requirement: {
    text: 'The authorization server MUST ensure that the "redirect_uri" parameter is present if it was included in the initial authorization request, and if included ensure that their values are identical.',
    level: 'MUST',
    ref: 'RFC6749-4.1.3-5',
  },
  must: 'a code redeemed with another redirect_uri is refused',
  rationale:
    'RFC 6749 4.1.3 requires the token request to carry the same redirect_uri as the authorization request. This is what stops a code that was sent to a manipulated redirect URI from being redeemed as if it had gone to the right one.',
  remediation: 'Store the redirect_uri with the code and compare it by simple string comparison at the token endpoint.',
  catches: ['code-not-bound-to-redirect-uri'],
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.obtainCode();
    // Another URI registered for the same client isolates the binding; an unregistered one might be
    // refused merely for not being registered.
    const alternate = client.client.alternateRedirectUri;
    const other = alternate ?? otherPath(pending.redirectUri);
    const t = await client.redeem(pending, code, { redirectUri: other });
    ctx.observe(
      `Redeeming the code with redirect_uri ${other} (${alternate ? 'also registered for this client' : 'not registered: a provider that only checks registration would refuse it too'}): ${t.status}.`,
      tokenData(t),
    );
    if (t.ok) return fail('The provider issued tokens although the token request named a different redirect_uri.');
    return pass('A token request with a different redirect_uri was refused.');
  },
});

export const codeLifetime = defineProviderCheck({
  id: 'provider.code.lifetime',
  title: 'Codes expire (opt-in: waits out the code lifetime)',
  severity: 'low',
  refs: ['RFC6749-4.1.2', 'RFC6749-10.5'],
  requirement: {
    text: 'The authorization code MUST expire shortly after it is issued to mitigate the risk of leaks. A maximum authorization code lifetime of 10 minutes is RECOMMENDED.',
    level: 'RECOMMENDED',
    ref: 'RFC6749-4.1.2',
  },
  must: 'a code older than the expected lifetime (default 10 minutes) is refused',
  rationale:
    'RFC 6749 4.1.2 recommends a code lifetime of at most 10 minutes; a code that stays valid for long widens every window in which a leaked code can be redeemed. This check waits that long, so it only runs with `--opt-in slow`.',
  remediation: 'Expire codes shortly after issue (a minute is common) and refuse expired codes with `invalid_grant`.',
  optIn: 'slow',
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.obtainCode();
    ctx.observe(`Got a code; waiting ${ctx.slow.codeLifetimeMs} ms before redeeming it.`);
    await ctx.wait(ctx.slow.codeLifetimeMs);
    const t = await client.redeem(pending, code);
    ctx.observe(`Redeeming the code after the wait: ${t.status}.`, tokenData(t));
    if (t.ok) return fail(`The code was still redeemable ${ctx.slow.codeLifetimeMs} ms after it was issued.`);
    return pass(`The code was refused ${ctx.slow.codeLifetimeMs} ms after it was issued.`);
  },
});
