/**
 * Refresh token checks (RFC 6749 6, RFC 9700 4.14.2): rotation for public clients, reuse detection,
 * binding to the client, and (opt-in) idle expiry.
 */
import { defineProviderCheck } from '../define.js';
import { fail, notApplicable, pass, tokenData } from './verdicts.js';

export const refreshRotation = defineProviderCheck({
  id: 'provider.refresh.rotation',
  title: "Public clients' refresh tokens rotate",
  severity: 'high',
  refs: ['RFC9700-4.14.2'],
  requirement: {
    text: 'Authorization servers MUST utilize one of these methods to detect refresh token replay by malicious actors for public clients: sender-constrained refresh tokens, or refresh token rotation.',
    level: 'MUST',
    ref: 'RFC9700-4.14.2',
  },
  must: 'refresh tokens of public clients rotate',
  rationale:
    'A public client cannot prove who it is when it refreshes, so a stolen refresh token works for the thief as long as it lives. RFC 9700 4.14.2 requires such tokens to be sender-constrained or rotated, so that theft is detected when both parties use the token.',
  remediation:
    'Issue a new refresh token with every refresh for public clients and invalidate the old one (or sender-constrain refresh tokens with DPoP or mTLS).',
  needs: ['refresh', 'public-client'],
  catches: ['no-refresh-rotation'],
  async run(ctx) {
    const client = ctx.client(ctx.clients.public);
    const { tokens } = await client.login();
    if (!tokens.refreshToken) return notApplicable('The provider issued no refresh token to the public client.');
    const r = await client.refresh(tokens.refreshToken);
    ctx.observe(
      `Refresh with the issued refresh token: ${r.status}; ${r.refreshToken ? (r.refreshToken === tokens.refreshToken ? 'the same refresh token came back' : 'a new refresh token came back') : 'no refresh token came back'}.`,
      tokenData(r),
    );
    if (!r.ok) return fail(`The refresh itself was refused (${r.status} ${r.error ?? ''}); rotation cannot be shown.`);
    if (!r.refreshToken || r.refreshToken === tokens.refreshToken)
      return fail('The refresh token did not rotate: the public client keeps using the same one.');
    return pass('The refresh returned a new refresh token.');
  },
});

export const refreshReuseRevokes = defineProviderCheck({
  id: 'provider.refresh.reuse-revokes',
  title: 'Reusing a rotated refresh token revokes the active one',
  severity: 'high',
  refs: ['RFC9700-4.14.2'],
  requirement: {
    text: 'The authorization server cannot determine which party submitted the invalid refresh token, but it will revoke the active refresh token (refresh token rotation as RFC 9700 4.14.2 requires it).',
    level: 'MUST',
    ref: 'RFC9700-4.14.2',
  },
  must: 'reusing a rotated refresh token revokes the active one',
  rationale:
    'Rotation only detects theft if the provider acts on it: when an old refresh token comes back, either the client or an attacker holds a copy, and the provider cannot tell which. RFC 9700 4.14.2 has it revoke the active refresh token so that neither can go on.',
  remediation:
    'Keep rotated refresh tokens as a family; when a rotated one is presented, refuse it and revoke the whole family.',
  needs: ['refresh'],
  catches: ['refresh-reuse-not-detected'],
  async run(ctx) {
    const client = ctx.client(ctx.clients.public ?? ctx.clients.primary);
    const { tokens } = await client.login();
    const rt1 = tokens.refreshToken;
    if (!rt1) return notApplicable('The provider issued no refresh token.');
    const first = await client.refresh(rt1);
    const rt2 = first.refreshToken;
    ctx.observe(`First refresh: ${first.status}.`, tokenData(first));
    if (!first.ok) return fail(`The first refresh was refused (${first.status} ${first.error ?? ''}).`);
    if (!rt2 || rt2 === rt1)
      return notApplicable(
        'The refresh token does not rotate (see provider.refresh.rotation), so there is no rotated token to reuse.',
      );
    const reuse = await client.refresh(rt1);
    ctx.observe(`Reusing the rotated refresh token: ${reuse.status}.`, tokenData(reuse));
    const active = await client.refresh(rt2);
    ctx.observe(`Then the active refresh token: ${active.status}.`, tokenData(active));
    if (reuse.ok) return fail('The rotated (old) refresh token was accepted again.');
    if (active.ok)
      return fail('After the rotated refresh token was reused, the active one still worked: reuse is not detected.');
    return pass('Reusing the rotated refresh token was refused and revoked the active one.');
  },
});

export const refreshBoundClient = defineProviderCheck({
  id: 'provider.refresh.bound-client',
  title: 'A refresh token cannot be used by another client',
  severity: 'high',
  refs: ['RFC6749-6', 'RFC6749-10.4'],
  requirement: {
    text: 'The authorization server MUST maintain the binding between a refresh token and the client to whom it was issued.',
    level: 'MUST',
    ref: 'RFC6749-10.4',
  },
  must: 'a refresh token cannot be used by another client',
  rationale:
    'RFC 6749 6 binds a refresh token to the client it was issued to; otherwise any other client of the provider can use a stolen one.',
  remediation:
    'Store the client id with the refresh token and refuse refreshes by any other client with `invalid_grant`.',
  needs: ['refresh', 'second-client'],
  catches: ['refresh-not-bound-to-client'],
  async run(ctx) {
    const second = ctx.clients.second;
    if (!second) return notApplicable('No second client is registered.');
    const client = ctx.client();
    const { tokens } = await client.login();
    if (!tokens.refreshToken) return notApplicable('The provider issued no refresh token.');
    const r = await client.refresh(tokens.refreshToken, { client: second });
    ctx.observe(
      `Refreshing the ${client.client.label} client's refresh token as the second client (${second.id}): ${r.status}.`,
      tokenData(r),
    );
    if (r.ok) return fail("The second client refreshed with the first client's refresh token.");
    return pass("The second client could not use the first client's refresh token.");
  },
});

export const refreshIdleExpiry = defineProviderCheck({
  id: 'provider.refresh.idle-expiry',
  title: 'Idle refresh tokens expire (opt-in: waits out the idle period)',
  severity: 'low',
  refs: ['RFC9700-4.14.2'],
  requirement: {
    text: 'Refresh tokens SHOULD expire if the client has been inactive for some time, i.e., the refresh token has not been used to obtain new access tokens for some time.',
    level: 'SHOULD',
    ref: 'RFC9700-4.14.2',
  },
  must: 'a refresh token unused for the configured idle period is refused',
  rationale:
    'RFC 9700 4.14.2 recommends that refresh tokens expire when the client has not used them for some time, which limits how long a forgotten or stolen token stays useful. The check waits that long, so it only runs with `--opt-in slow` and an idle period set in the client file (`slow.refreshIdleMs`).',
  remediation: 'Expire refresh tokens after an idle period (and an absolute lifetime).',
  needs: ['refresh'],
  optIn: 'slow',
  async run(ctx) {
    const idle = ctx.slow.refreshIdleMs;
    if (idle === undefined) return notApplicable('No idle period is configured (client file: slow.refreshIdleMs).');
    const client = ctx.client();
    const { tokens } = await client.login();
    if (!tokens.refreshToken) return notApplicable('The provider issued no refresh token.');
    ctx.observe(`Got a refresh token; waiting ${idle} ms without using it.`);
    await ctx.wait(idle);
    const r = await client.refresh(tokens.refreshToken);
    ctx.observe(`Refreshing after the idle period: ${r.status}.`, tokenData(r));
    if (r.ok) return fail(`The refresh token still worked after ${idle} ms unused.`);
    return pass(`The refresh token was refused after ${idle} ms unused.`);
  },
});
