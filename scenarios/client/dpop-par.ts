/**
 * DPoP (RFC 9449) and pushed authorization requests (RFC 9126) as a client uses them: a fresh, correct
 * proof on every token and resource request, the server's nonce when it asks for one, the `DPoP`
 * scheme for bound tokens, and only `client_id` and `request_uri` in the browser with PAR. Each applies
 * when the manifest declares `client.dpop` / `client.par` (TARGETS.md §1.1).
 */
import type { JournalEntry } from '../../mock-idp/types.js';
import { defineClientCheck } from '../define.js';
import { beginLogin, completeLogin } from '../lib/flow.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';
import type { ClientCheckContext } from '../types.js';

/** Ends the check as not applicable unless the manifest declares `client.<field>`. */
function requireDeclared(ctx: ClientCheckContext, field: 'dpop' | 'par'): void {
  if (ctx.target.client[field] === true) return;
  const what = field === 'dpop' ? 'sends DPoP proofs (RFC 9449)' : 'pushes its authorization requests (RFC 9126)';
  stopNotApplicable(
    `The manifest does not declare \`client.${field}\`; set "client": { "${field}": true } for a client that ${what}.`,
  );
}

/**
 * A login followed by an API call, so token and resource requests are in the journal. Not signing in is
 * no reason to stop: a client whose proofs the API refuses ends signed out, and that is the finding.
 */
async function loginAndCallApi(ctx: ClientCheckContext): Promise<void> {
  const session = await ctx.session('login');
  await completeLogin(ctx, session);
  const signedIn = await session.isSignedIn();
  const api = await session.api();
  ctx.observe(`Signed in: ${signedIn}; API call through the client: ${api}.`);
}

/** Token requests and resource calls (API, userinfo) that carried a token, of this check's logins. */
function dpopEntries(ctx: ClientCheckContext): { token: JournalEntry[]; resource: JournalEntry[] } {
  const token = ctx.journal.entries({ endpoint: 'token' });
  const resource = [...ctx.journal.entries({ endpoint: 'api' }), ...ctx.journal.entries({ endpoint: 'userinfo' })]
    .filter((e) => e.bearer && e.bearer.location !== 'none')
    .sort((a, b) => a.seq - b.seq);
  return { token, resource };
}

export const dpopProof = defineClientCheck({
  id: 'dpop.proof',
  title: 'Every token and resource request carries a fresh DPoP proof',
  severity: 'high',
  refs: ['RFC9449-4.2', 'RFC9449-7.1'],
  must: 'Every token and resource request carries a fresh DPoP proof: new `jti`, right `htm` and `htu`, current `iat`, `ath` on resource requests, one key per session.',
  rationale:
    'DPoP ties the tokens to a key only the client holds: each request carries a short-lived proof signed with that key, naming the request (method and URL), the moment, and, at the API, the token. A proof that is reused, names another request, is old, or lacks the token hash can be replayed by whoever captured it, and a client that changes keys mid-session loses its own tokens.',
  remediation:
    'Use your library’s DPoP support (oauth4webapi / openid-client `DPoP()` handles) rather than building proofs by hand, with one key pair per session. Each request needs a new proof with a random `jti`, `htm` and `htu` of that request (without query), `iat` from the clock, and `ath` when an access token is presented.',
  requirement: {
    text: 'A DPoP proof is a JWT signed with the private key, with the public key in its `jwk` header, carrying jti (a unique identifier with a negligible probability of being assigned to any other proof), htm and htu of the request it is attached to, iat (its creation time) and, when it is presented with an access token, ath (the hash of that token) (closely paraphrased).',
    level: 'MUST',
    ref: 'RFC9449-4.2',
  },
  async run(ctx) {
    requireDeclared(ctx, 'dpop');
    await loginAndCallApi(ctx);
    const { token, resource } = dpopEntries(ctx);
    if (token.length === 0) stopError('The client made no token request.', 'target');
    const bound = resource.filter((e) => e.bearer?.bound);
    const all = [...token, ...bound];
    const problems: string[] = [];
    for (const e of all) {
      const where = `${e.endpoint} request #${e.seq}`;
      if (!e.dpop?.present) problems.push(`${where} carried no DPoP proof`);
      else if (!e.dpop.valid && !/nonce/.test(e.dpop.error ?? ''))
        problems.push(`${where}: ${e.dpop.error ?? 'invalid proof'}`);
    }
    const jtis = all.map((e) => e.dpop?.jti).filter((j): j is string => j !== undefined);
    const repeated = jtis.filter((j, i) => jtis.indexOf(j) !== i);
    if (repeated.length > 0) problems.push(`${repeated.length} proof(s) repeated a jti`);
    const keys = new Set(all.map((e) => e.dpop?.jkt).filter((k): k is string => k !== undefined));
    if (keys.size > 1) problems.push(`one session used ${keys.size} different DPoP keys`);
    ctx.observe(
      `${token.length} token request(s) and ${bound.length} resource call(s) with a DPoP-bound token; ${jtis.length} proof(s), ${keys.size} key(s).`,
      {
        proofs: all.map((e) => ({
          seq: e.seq,
          endpoint: e.endpoint,
          valid: e.dpop?.valid,
          error: e.dpop?.error,
          htm: e.dpop?.htm,
          htu: e.dpop?.htu,
          ath: e.dpop?.ath !== undefined,
        })),
      },
    );
    if (problems.length > 0) return fail(`DPoP proofs were missing or wrong: ${problems.slice(0, 4).join('; ')}.`);
    if (bound.length === 0) {
      return pass(
        `All ${token.length} token request(s) carried a valid, fresh DPoP proof (no resource call used the token).`,
      );
    }
    return pass(
      `All ${all.length} token and resource requests carried a valid, fresh DPoP proof of one key (ath on resource calls).`,
    );
  },
});

export const dpopNonce = defineClientCheck({
  id: 'dpop.nonce',
  title: 'The client retries with the server’s DPoP nonce',
  severity: 'medium',
  refs: ['RFC9449-8', 'RFC9449-9'],
  faults: ['dpop.use-nonce'],
  must: 'After `use_dpop_nonce` the client retries once with the server’s `DPoP-Nonce`.',
  rationale:
    'A provider can make proofs unpredictable in time by handing out nonces: it answers `use_dpop_nonce` with a `DPoP-Nonce` header, and the client repeats the request with a proof that carries it. A client that ignores the nonce cannot sign in at such a provider; one that retries forever floods it.',
  remediation:
    'On a 400 `use_dpop_nonce` from the token endpoint, read `DPoP-Nonce`, build a new proof with `nonce` set, and retry once; keep the latest nonce for the next requests. oauth4webapi and openid-client do this when you pass their DPoP handle.',
  requirement: {
    text: 'The client MUST use the new nonce value supplied for the next token request, and for all subsequent token requests, until the authorization server supplies a new nonce (closely paraphrased).',
    level: 'MUST',
    ref: 'RFC9449-8',
  },
  async run(ctx) {
    requireDeclared(ctx, 'dpop');
    ctx.arm({ name: 'dpop.use-nonce' });
    const session = await ctx.session('login');
    await completeLogin(ctx, session);
    const signedIn = await session.isSignedIn();
    ctx.observe(`With the provider demanding DPoP nonces: ${signedIn ? 'signed in' : 'not signed in'}.`);
    const token = ctx.journal.entries({ endpoint: 'token' });
    if (token.length === 0) stopError('The client made no token request.', 'target');
    const asked = token.filter((e) => e.token?.error === 'use_dpop_nonce');
    ctx.observe(`${token.length} token request(s); ${asked.length} answered use_dpop_nonce.`, {
      requests: token.map((e) => ({
        seq: e.seq,
        outcome: e.token?.outcome,
        error: e.token?.error,
        nonce: e.dpop?.nonce !== undefined,
      })),
    });
    if (asked.length === 0) {
      if (token.every((e) => !e.dpop?.present)) return fail('The client sent no DPoP proof to the token endpoint.');
      stopError('The provider never answered use_dpop_nonce, so the retry could not be observed.', 'harness');
    }
    const first = asked[0];
    const nonce = first.response.headers['dpop-nonce'];
    const retry = token.find((e) => e.seq > first.seq);
    if (!retry) return fail('After use_dpop_nonce the client did not retry the token request.');
    if (retry.dpop?.nonce === undefined || retry.dpop.nonce !== nonce) {
      return fail('The client retried after use_dpop_nonce without the nonce the server handed out in DPoP-Nonce.');
    }
    if (asked.length > 2)
      return fail(`The client kept retrying: ${asked.length} token requests answered use_dpop_nonce.`);
    if (retry.token?.outcome !== 'issued') {
      return fail(`The retry with the nonce was refused too (${retry.token?.error ?? 'error'}).`);
    }
    return pass('After use_dpop_nonce the client retried once with the server’s DPoP-Nonce and got its tokens.');
  },
});

export const dpopScheme = defineClientCheck({
  id: 'dpop.scheme',
  title: 'DPoP-bound tokens are sent with the DPoP scheme',
  severity: 'high',
  refs: ['RFC9449-7.1'],
  must: 'A DPoP-bound access token is sent as `Authorization: DPoP`, never as Bearer.',
  rationale:
    'A DPoP-bound token presented as `Bearer` carries no proof. A resource server that knows DPoP refuses it; one that does not (or a misconfigured one) accepts it, and then the binding protects nothing.',
  remediation:
    'Send `Authorization: DPoP <access token>` together with a `DPoP` proof header carrying `ath` for every API call made with a token whose `token_type` was `DPoP`. Libraries do this for you when you pass their DPoP handle to the resource call (openid-client `fetchProtectedResource`, oauth4webapi `protectedResourceRequest`).',
  requirement: {
    text: 'A DPoP-bound access token is sent using the Authorization request header field with the DPoP authentication scheme, together with a DPoP proof in the DPoP header field (closely paraphrased).',
    level: 'MUST',
    ref: 'RFC9449-7.1',
  },
  async run(ctx) {
    requireDeclared(ctx, 'dpop');
    await loginAndCallApi(ctx);
    const { resource } = dpopEntries(ctx);
    if (resource.length === 0) stopNotApplicable('The client made no API or userinfo call with a token.');
    const bound = resource.filter((e) => e.bearer?.bound);
    ctx.observe(
      `${resource.length} API/userinfo call(s), ${bound.length} with a DPoP-bound token; schemes: ${[...new Set(bound.map((e) => e.bearer?.scheme ?? e.bearer?.location))].join(', ') || 'none'}.`,
    );
    if (bound.length === 0) {
      stopNotApplicable('No DPoP-bound token was presented (the client obtained none; see dpop.proof).');
    }
    const wrong = bound.filter((e) => e.bearer?.scheme !== 'DPoP');
    if (wrong.length > 0) {
      return fail(
        `The client sent a DPoP-bound access token as ${wrong[0].bearer?.scheme ?? wrong[0].bearer?.location} (${wrong[0].endpoint} call).`,
      );
    }
    return pass(`All ${bound.length} call(s) with the DPoP-bound token used the DPoP scheme.`);
  },
});

export const parFrontChannel = defineClientCheck({
  id: 'par.front-channel',
  title: 'With PAR, the browser carries only client_id and request_uri',
  severity: 'high',
  refs: ['RFC9126-4'],
  must: 'With PAR, the front-channel authorization request carries only `client_id` and `request_uri`.',
  rationale:
    'Pushed authorization requests move the login’s parameters (redirect URI, scope, state, PKCE challenge) from the browser’s address bar to an authenticated back-channel request, where nobody can read or change them. A client that pushes and then sends the parameters through the browser again exposes them anyway, and a client that does not push at all gets none of it.',
  remediation:
    'POST the authorization parameters to the `pushed_authorization_request_endpoint`, then send the person to the authorization endpoint with `client_id` and the returned `request_uri` only. Libraries do both steps for you (openid-client `buildAuthorizationUrlWithPAR`, oauth4webapi `pushedAuthorizationRequest`).',
  requirement: {
    text: 'The client uses the request_uri value returned by the authorization server to build an authorization request as defined in [RFC9101] (the example sends client_id and request_uri only); authorization request data passed through the browser is exposed to it.',
    level: 'RECOMMENDED',
    ref: 'RFC9126-4',
  },
  async run(ctx) {
    requireDeclared(ctx, 'par');
    const session = await ctx.session('login');
    const request = await beginLogin(ctx, session);
    const front = new URL(request.url).searchParams;
    const names = [...new Set(front.keys())];
    ctx.observe(`The browser was sent to the authorization endpoint with: ${names.join(', ')}.`);
    const requestUri = front.get('request_uri');
    if (requestUri === null) {
      return fail('The client sent its authorization request through the browser without pushing it (no request_uri).');
    }
    if (ctx.idp.pushedRequest(requestUri) === undefined) {
      return fail('The request_uri in the browser is not one the PAR endpoint issued.');
    }
    const extra = names.filter((n) => n !== 'client_id' && n !== 'request_uri');
    if (extra.length > 0) {
      return fail(`The client pushed its request but also sent ${extra.join(', ')} through the browser.`);
    }
    if (!front.get('client_id')) return fail('The front-channel request lacks client_id.');
    return pass('The browser carried only client_id and a request_uri the PAR endpoint issued.');
  },
});
