/**
 * Pushed authorization requests (RFC 9126) and DPoP sender-constraining (RFC 9449) at the provider:
 * PAR enforced when advertised, `request_uri` one-time and bound to its client, DPoP-bound access
 * tokens refused without their key's proof, replayed proofs refused, and public clients' refresh tokens
 * bound to the DPoP key.
 */
import { newDpopKey, type PendingAuthorization } from '../../harness/provider/client.js';
import { defineProviderCheck } from '../define.js';
import { fail, notApplicable, pass, readAuthorize, targetError, tokenData } from './verdicts.js';

export const parRequired = defineProviderCheck({
  id: 'provider.par.required',
  title: 'A plain authorization request is refused when PAR is required',
  severity: 'medium',
  refs: ['RFC9126-5', 'RFC9126-4'],
  must: 'when `require_pushed_authorization_requests` is advertised, a plain authorization request is refused',
  rationale:
    'A provider that says it accepts authorization requests only through its pushed authorization request endpoint promises that every login was pushed by an authenticated client over the back channel, where nobody can read or change the parameters. If it still accepts a request built in the browser, an attacker can start logins with parameters of their choice and the promise protects nothing.',
  remediation:
    'When PAR is required (globally or for the client), answer an authorization request without a `request_uri` from the PAR endpoint with `invalid_request`, before showing any login page.',
  requirement: {
    text: 'Authorization server policy MAY dictate, either globally or on a per-client basis, that PAR be the only means for a client to pass authorization request data. In this case, the authorization server will refuse, using the invalid_request error code, to process any request to the authorization endpoint that does not have a request_uri parameter with a value obtained from the PAR endpoint.',
    level: 'MUST',
    ref: 'RFC9126-4',
    fapi2: {
      text: 'The authorization server shall require pushed authorization requests (RFC 9126) for every authorization request (closely paraphrased).',
      level: 'MUST',
      ref: 'FAPI2-SP-5.3.2.2',
    },
  },
  needs: ['par-required'],
  catches: ['par-not-required'],
  async run(ctx) {
    const client = ctx.client();
    const control = await client.obtainCode({ par: true });
    ctx.observe('A pushed authorization request (client_id and request_uri in the browser) returned a code.', {
      params: Object.keys(control.pending.params),
    });
    const plain = client.authorizationRequest({ par: false });
    const r = readAuthorize(await client.authorize(plain));
    ctx.observe(`The same request sent through the browser without PAR: ${r.how}.`);
    if (r.accepted === undefined) return targetError(`The plain request could not be observed (${r.how}).`);
    if (r.accepted) return fail('PAR is advertised as required, but a plain authorization request was accepted.');
    return pass('A plain authorization request was refused; only pushed requests are accepted.');
  },
});

export const parRequestUriSingleUse = defineProviderCheck({
  id: 'provider.par.request-uri-single-use',
  title: 'A request_uri works once',
  severity: 'medium',
  refs: ['RFC9126-4', 'RFC9126-2.2'],
  must: 'a `request_uri` works once and expires',
  rationale:
    'A `request_uri` stands for one pushed login, with its PKCE challenge and state. If it can be opened again, whoever sees it (in a log, a browser history, a shared link) can start that same login once more.',
  remediation:
    'Mark a `request_uri` as used when the authorization endpoint resolves it, refuse it afterwards, and refuse it after `expires_in` in any case.',
  requirement: {
    text: 'Authorization servers SHOULD treat request_uri values as one-time use but MAY allow for duplicate requests due to a user reloading/refreshing their user agent. An expired request_uri MUST be rejected as invalid.',
    level: 'SHOULD',
    ref: 'RFC9126-4',
  },
  needs: ['par'],
  catches: ['request-uri-reusable'],
  async run(ctx) {
    const client = ctx.client();
    const pending: PendingAuthorization = client.authorizationRequest({ par: true });
    const pushed = await client.push(pending);
    const expiresIn = pushed.json?.expires_in;
    ctx.observe(`The PAR endpoint answered ${pushed.status}; expires_in ${String(expiresIn)}.`);
    if (!pending.requestUri) return targetError(`The PAR endpoint refused a correct request (${pushed.status}).`);
    const first = readAuthorize(await client.authorize(pending));
    ctx.observe(`First use of the request_uri: ${first.how}.`);
    if (first.accepted !== true)
      return targetError(`The first use of a fresh request_uri was not accepted (${first.how}).`);
    const second = readAuthorize(await client.authorize(pending));
    ctx.observe(`Second use of the same request_uri: ${second.how}.`);
    if (second.accepted === undefined) return targetError(`The second use could not be observed (${second.how}).`);
    if (second.accepted) return fail('The same request_uri was accepted a second time.');
    return pass(
      `The request_uri worked once and was refused the second time (expiry after expires_in=${String(expiresIn)} s is not waited out).`,
    );
  },
});

export const parRequestUriBound = defineProviderCheck({
  id: 'provider.par.request-uri-bound',
  title: 'A request_uri cannot be used by another client',
  severity: 'high',
  refs: ['RFC9126-4'],
  must: 'a `request_uri` cannot be used by another client',
  rationale:
    'A pushed request is the authenticated client’s own request. If another client can present its `request_uri`, the other client gets a code issued for a request it never made, with the first client’s parameters.',
  remediation:
    'Store the client that pushed each request and refuse a `request_uri` whose front-channel `client_id` is a different client.',
  requirement: {
    text: 'The authorization server MUST validate authorization requests arising from a pushed request as it would any other authorization request (a pushed request names its client; the front-channel client_id must be that client).',
    level: 'MUST',
    ref: 'RFC9126-4',
  },
  needs: ['par', 'second-client'],
  catches: ['request-uri-not-bound'],
  async run(ctx) {
    const owner = ctx.client();
    // Control: a pushed request of the owner itself signs in, so a refusal below is the binding.
    await owner.obtainCode({ par: true });
    ctx.observe(`Control: the ${owner.client.label} client's own pushed request returned a code.`);
    const pending = owner.authorizationRequest({ par: true });
    const pushed = await owner.push(pending);
    if (!pending.requestUri) return targetError(`The PAR endpoint refused a correct request (${pushed.status}).`);
    ctx.observe(`The ${owner.client.label} client pushed a request and got a request_uri.`);
    const other = ctx.client(ctx.clients.second);
    const stolen: PendingAuthorization = {
      ...pending,
      client: other.client,
      url: other.requestUriUrl(pending.requestUri, other.client.id),
    };
    const r = readAuthorize(await other.authorize(stolen));
    ctx.observe(`The ${other.client.label} client presented that request_uri with its own client_id: ${r.how}.`);
    if (r.accepted === undefined) return targetError(`The attempt could not be observed (${r.how}).`);
    if (r.accepted) return fail('A request_uri pushed by one client was accepted for another client.');
    return pass('A request_uri pushed by one client was refused for another client.');
  },
});

const DPOP_RATIONALE =
  'A DPoP-bound access token is useless without the private key it is bound to: every request must carry a fresh proof signed with that key. That is what makes a stolen token worthless, but only if the resource server insists on the proof.';

export const dpopBound = defineProviderCheck({
  id: 'provider.dpop.bound',
  title: 'A DPoP-bound access token needs its key’s proof',
  severity: 'high',
  refs: ['RFC9449-7.1', 'RFC9449-7.2'],
  must: 'a DPoP-bound access token is refused without a proof, with another key’s proof, and as Bearer',
  rationale: DPOP_RATIONALE,
  remediation:
    'For a token with `cnf.jkt`, accept only `Authorization: DPoP <token>` with a valid proof whose key thumbprint equals `cnf.jkt` and whose `ath` is the token’s hash; refuse the same token sent as `Bearer`.',
  requirement: {
    text: 'The resource server MUST check that the value of the ath claim equals the hash of that access token, and confirm that the public key to which the access token is bound matches the public key from the DPoP proof; a DPoP-bound access token presented as a bearer token is refused (closely paraphrased from 7.1 and 7.2).',
    level: 'MUST',
    ref: 'RFC9449-7.1',
  },
  needs: ['dpop', 'api'],
  catches: ['dpop-binding-not-checked'],
  async run(ctx) {
    const api = ctx.provider.apiUrl ?? ctx.provider.metadata.userinfo_endpoint;
    if (!api) return notApplicable('No protected resource is known.');
    const client = ctx.client();
    const key = await client.dpopKey();
    const got = await client.obtainCode();
    const tokens = await client.redeem(got.pending, got.code, { dpop: key });
    ctx.observe(
      `Token request with a DPoP proof: ${tokens.status}, token_type ${String(tokens.tokenType)}.`,
      tokenData(tokens),
    );
    if (!tokens.ok || !tokens.accessToken)
      return targetError(`A correct DPoP token request was refused (${tokens.status}).`);
    if (tokens.tokenType?.toLowerCase() !== 'dpop')
      return notApplicable(
        `The provider issued a ${String(tokens.tokenType)} token for a DPoP proof, so nothing is bound.`,
      );
    const at = tokens.accessToken;
    const label = ctx.provider.apiLabel ?? api;
    const right = await client.callResource(api, at, 'dpop', 'call with the right proof');
    ctx.observe(`${label} with the DPoP scheme and a proof of the bound key: ${right.status}.`);
    if (right.status !== 200) return targetError(`The resource refused even a correct DPoP call (${right.status}).`);
    const other = await newDpopKey();
    const attempts = [
      { what: 'no proof', r: await client.callResource(api, at, 'dpop', 'call without a proof', { proof: null }) },
      {
        what: 'another key’s proof',
        r: await client.callResource(api, at, 'dpop', 'call with another key', { key: other }),
      },
      { what: 'the Bearer scheme', r: await client.callResource(api, at, 'bearer', 'call as a bearer token') },
    ];
    for (const a of attempts) ctx.observe(`The bound token with ${a.what}: ${a.r.status}.`);
    const accepted = attempts.filter((a) => a.r.status >= 200 && a.r.status < 300).map((a) => a.what);
    if (accepted.length > 0) return fail(`The DPoP-bound access token was accepted with ${accepted.join(', ')}.`);
    return pass('The DPoP-bound access token was refused without a proof, with another key’s proof, and as Bearer.');
  },
});

export const dpopReplay = defineProviderCheck({
  id: 'provider.dpop.replay',
  title: 'A replayed DPoP proof is refused',
  severity: 'medium',
  refs: ['RFC9449-11.1', 'RFC9449-4.3'],
  must: 'a replayed DPoP proof (same `jti`) is refused',
  rationale:
    'A DPoP proof travels with the request, so anyone who can read one request (a proxy, a log) holds a valid proof for it. Refusing a `jti` seen before makes a captured proof useless even within its short time window.',
  remediation:
    'Remember the `jti` of every accepted proof (per key and target URI) for as long as its `iat` would be accepted, and refuse a proof whose `jti` is already known.',
  requirement: {
    text: 'To prevent replay, servers SHOULD store the jti value of each DPoP proof for the time window in which the respective DPoP proof JWT would be accepted and decline requests for which the jti value has been seen before (closely paraphrased).',
    level: 'SHOULD',
    ref: 'RFC9449-11.1',
  },
  needs: ['dpop', 'api'],
  catches: ['dpop-replay-not-detected'],
  async run(ctx) {
    const api = ctx.provider.apiUrl ?? ctx.provider.metadata.userinfo_endpoint;
    if (!api) return notApplicable('No protected resource is known.');
    const client = ctx.client();
    const got = await client.obtainCode();
    const tokens = await client.redeem(got.pending, got.code, { dpop: true });
    ctx.observe(
      `Token request with a DPoP proof: ${tokens.status}, token_type ${String(tokens.tokenType)}.`,
      tokenData(tokens),
    );
    if (!tokens.ok || !tokens.accessToken)
      return targetError(`A correct DPoP token request was refused (${tokens.status}).`);
    if (tokens.tokenType?.toLowerCase() !== 'dpop')
      return notApplicable(`The provider issued a ${String(tokens.tokenType)} token for a DPoP proof.`);
    const first = await client.callResource(api, tokens.accessToken, 'dpop', 'call with a fresh proof');
    ctx.observe(`Resource call with a fresh proof: ${first.status}.`);
    if (first.status !== 200 || !first.proof)
      return targetError(`The resource refused a correct DPoP call (${first.status}).`);
    const again = await client.callResource(api, tokens.accessToken, 'dpop', 'replay the same proof', {
      proof: first.proof,
    });
    ctx.observe(`The same request with the same proof again: ${again.status}.`);
    if (again.status >= 200 && again.status < 300) return fail('A replayed DPoP proof (same jti) was accepted.');
    return pass(`The replayed DPoP proof was refused (${again.status}).`);
  },
});

export const dpopRefreshBound = defineProviderCheck({
  id: 'provider.dpop.refresh-bound',
  title: 'A DPoP public client’s refresh token needs its key’s proof',
  severity: 'high',
  refs: ['RFC9449-5'],
  must: 'a refresh token issued to a DPoP public client is refused without that key’s proof',
  rationale:
    'A public client cannot authenticate when it refreshes, so the only thing that stops a thief from using its stolen refresh token is the DPoP key the token is bound to.',
  remediation:
    'When a public client obtains a refresh token with a DPoP proof, bind the refresh token to that key and require a proof of the same key on every refresh.',
  requirement: {
    text: 'Refresh tokens issued to public clients that present a valid DPoP proof at the token endpoint MUST be bound to the respective public key (closely paraphrased).',
    level: 'MUST',
    ref: 'RFC9449-5',
  },
  needs: ['dpop', 'refresh', 'public-client'],
  catches: ['dpop-refresh-not-bound'],
  async run(ctx) {
    const client = ctx.client(ctx.clients.public);
    const key = await client.dpopKey();
    const got = await client.obtainCode();
    const tokens = await client.redeem(got.pending, got.code, { dpop: key });
    ctx.observe(`Public client token request with a DPoP proof: ${tokens.status}.`, tokenData(tokens));
    if (!tokens.ok) return targetError(`A correct DPoP token request was refused (${tokens.status}).`);
    if (!tokens.refreshToken) return notApplicable('The provider issued no refresh token to the public client.');
    const none = await client.refresh(tokens.refreshToken, { dpop: false });
    ctx.observe(`Refresh without a DPoP proof: ${none.status}.`, tokenData(none));
    const other = await client.refresh(tokens.refreshToken, { dpop: await newDpopKey() });
    ctx.observe(`Refresh with another key’s proof: ${other.status}.`, tokenData(other));
    const accepted = [none.ok && 'without a proof', other.ok && 'with another key’s proof'].filter(Boolean);
    if (accepted.length > 0) return fail(`The DPoP-bound refresh token was accepted ${accepted.join(' and ')}.`);
    return pass('The refresh token was refused without a proof and with another key’s proof.');
  },
});
