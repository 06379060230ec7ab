/**
 * pkce.downgrade-metadata and pkce.no-plain-retry: neither the provider's metadata nor an error at the
 * authorization endpoint talks the client down from S256 to plain (RFC 7636 §4.2, §7.2).
 */
import type { AuthorizationRequest } from '../../harness/types.js';
import {
  approveToCallback,
  authorizationEntries,
  beginLogin,
  deliverCallback,
  isAuthorizationUrl,
  messageOf,
  parseAuthorizationUrl,
} from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { FAPI2_PKCE } from '../lib/allowances.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';
import { sentPkce } from '../lib/pkce.js';

function methodOf(params: Record<string, string>): 'S256' | 'plain' | 'none' | string {
  return sentPkce(params)?.method ?? 'none';
}

/**
 * RFC 7636 4.2 binds a client "capable of using S256": one that sends S256 when the metadata advertises
 * it. A client that never uses PKCE downgrades nothing; pkce.present judges it.
 */
const S256_CAPABLE = {
  text: 'The client is capable of using S256 (it sends an S256 challenge to a provider advertising S256)',
  controls: ['pkce.s256'],
};

/** Metadata advertising only plain: the client still sends S256 or refuses to log in. */
export const pkceDowngradeMetadata = defineClientCheck({
  id: 'pkce.downgrade-metadata',
  title: 'Metadata cannot downgrade PKCE to plain',
  severity: 'medium',
  refs: ['RFC7636-4.2', 'RFC7636-7.2'],
  requirement: {
    text: 'If the client is capable of using "S256", it MUST use "S256", as "S256" is Mandatory To Implement (MTI) on the server.',
    level: 'MUST',
    ref: 'RFC7636-4.2',
    precondition: S256_CAPABLE,
    fapi2: { ...FAPI2_PKCE, precondition: S256_CAPABLE },
  },
  discoveryFaults: ['discovery.pkce-plain-only'],
  must: 'Provider metadata advertises only `plain`: the client still sends S256 or refuses.',
  rationale:
    'Some clients read `code_challenge_methods_supported` from the discovery document and pick the method from ' +
    'it. If the document is tampered with, misconfigured or served by an attacker-controlled issuer, such a ' +
    'client falls back to `plain` (the verifier in clear in the browser) or drops PKCE altogether, without ' +
    'anyone noticing.',
  remediation:
    'Hard-code S256. If the provider does not advertise S256, fail loudly at start-up or at login rather than ' +
    'sending a weaker challenge; lexoffice and every current provider support S256.',
  async run(ctx) {
    ctx.observe('The provider advertises code_challenge_methods_supported: ["plain"] only.');
    const session = await ctx.session('login');
    let request: AuthorizationRequest;
    try {
      request = await session.startLogin();
    } catch (err) {
      const sent = authorizationEntries(ctx).length;
      ctx.observe(
        `The client did not start a login: ${messageOf(err)} (${sent} authorization request(s) reached the provider).`,
      );
      if (ctx.target.kind !== 'driver' && ctx.target.login) {
        // A refusal must come from a running client, not from one that is down.
        let status: number;
        try {
          status = (await session.request({ url: ctx.target.login.url, follow: false })).status;
        } catch (e) {
          stopError(`The client's login page could not be reached: ${messageOf(e)}`, 'target');
        }
        ctx.observe(`The login page answers status ${status} instead of sending the person to the provider.`);
      }
      if (sent === 0) return pass('The client refused to log in with a provider that only advertises plain PKCE.');
      return fail('The client sent an authorization request although it refused to complete the login start.');
    }
    const method = methodOf(request.params);
    ctx.observe(`The authorization request uses PKCE method ${method}.`, { params: request.params });
    if (method === 'S256') return pass('The client kept S256 although the metadata only advertises plain.');
    return fail(
      method === 'none'
        ? 'The client dropped PKCE because the metadata does not advertise S256.'
        : `The client followed the metadata down to code_challenge_method=${method}.`,
    );
  },
});

/** The provider rejects the S256 request: the client does not retry with plain. */
export const pkceNoPlainRetry = defineClientCheck({
  id: 'pkce.no-plain-retry',
  title: 'No retry with plain after an S256 rejection',
  severity: 'medium',
  refs: ['RFC7636-7.2'],
  requirement: {
    text: 'Clients MUST NOT downgrade to "plain" after trying the "S256" method.',
    level: 'MUST',
    ref: 'RFC7636-7.2',
  },
  faults: ['authorize.reject-s256'],
  must: 'Provider rejects the S256 request: the client does not retry with `plain`.',
  rationale:
    'An attacker who can make the authorization endpoint answer with an error (or a provider that is simply ' +
    'misconfigured) should not be able to talk the client into a weaker method. A client that "helpfully" ' +
    'retries with `plain` or without PKCE after an error gives the downgrade away for free.',
  remediation:
    'Treat an error answer to the authorization request as the end of that login: show the error and let the ' +
    'person start again, with S256 again. Never change the PKCE method in response to an error.',
  async run(ctx) {
    ctx.arm({ name: 'authorize.reject-s256' });
    ctx.observe('Armed authorize.reject-s256: the provider answers an S256 request with an error redirect.');
    const session = await ctx.session('login');
    const first = await beginLogin(ctx, session);
    if (methodOf(first.params) !== 'S256')
      stopNotApplicable('The client does not send an S256 challenge (see pkce.s256).');
    const { callbackUrl } = await approveToCallback(ctx, session, first);
    const afterError = await deliverCallback(ctx, session, callbackUrl, 'error redirect for the S256 request');
    const retries: AuthorizationRequest[] = [];
    if (isAuthorizationUrl(ctx, afterError.finalUrl)) {
      // The client sent the browser straight back to the provider: that is a retry.
      const retry = parseAuthorizationUrl(afterError.finalUrl!);
      ctx.observe('After the error the client sent the person straight back to the provider.', {
        params: retry.params,
      });
      retries.push(retry);
      await session.approve(retry);
    }
    // The next login in the same session shows whether the client remembered a "downgrade".
    retries.push(await beginLogin(ctx, session));
    const journaled = authorizationEntries(ctx).map((e) => e.authorization!.params);
    const weak = [...retries.map((r) => r.params), ...journaled].map(methodOf).filter((m) => m !== 'S256');
    ctx.observe(
      `Authorization requests after the rejection use ${retries.map((r) => methodOf(r.params)).join(', ')}; ` +
        `the provider saw ${journaled.length} request(s) for this check.`,
    );
    if (weak.length > 0) {
      return fail(
        `After the provider rejected S256 the client retried with ${weak[0] === 'none' ? 'no PKCE' : weak[0]}.`,
      );
    }
    return pass('After the provider rejected S256 the client did not retry with a weaker method.');
  },
});
