/**
 * ID token validation (OIDC Core §3.1.3.7, RFC 8725 §3.1): the client refuses an ID token with a bad
 * signature, no signature, an HMAC keyed with the public key, or a wrong iss, aud, exp or nonce.
 * Each check injects exactly one defect into an otherwise valid ID token.
 */
import type { Fault } from '../../mock-idp/types.js';
import type { ClientCheck, ClientCheckContext, Outcome, Requirement, Severity } from '../types.js';
import type { RefKey } from '../refs.js';
import { completeLogin, controlLogin, scopesOf, tokenRequestsForCode, type CompletedLogin } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';
import { TOKEN_ENDPOINT_ID_TOKEN } from '../lib/allowances.js';

/**
 * Ends the check as not applicable unless the control login received an ID token: a client that does
 * not use OpenID Connect has no ID token to validate.
 */
export async function requireIdTokenControl(
  ctx: ClientCheckContext,
  needsNonce = false,
  control: (ctx: ClientCheckContext) => Promise<CompletedLogin> = controlLogin,
) {
  const login = await control(ctx);
  if (!scopesOf(login.request.params.scope).includes('openid')) {
    stopNotApplicable('The client does not request the openid scope, so it receives no ID token.');
  }
  if (ctx.journal.issued({ kind: 'id_token' }).length === 0) {
    stopNotApplicable('The provider issued no ID token to this client.');
  }
  if (needsNonce && !login.request.params.nonce) {
    stopNotApplicable('The client sends no nonce, so there is none to compare (see nonce.present).');
  }
  return login;
}

/** One login with `fault` armed (after a control login): the client must not sign in or use the tokens. */
export async function faultedLogin(
  ctx: ClientCheckContext,
  fault: Fault,
  label: string,
): Promise<'signed-in' | 'api-used' | undefined> {
  ctx.idp.faults.clear(ctx.tag);
  ctx.arm(fault);
  ctx.observe(`Armed ${fault.name}${'alg' in fault && fault.alg ? ` (alg ${fault.alg})` : ''}.`);
  const session = await ctx.session(label);
  const login = await completeLogin(ctx, session);
  if (!login.code) stopError('The provider sent no code.', 'harness');
  const redemptions = tokenRequestsForCode(ctx, login.code);
  if (redemptions.length === 0)
    stopError('The client did not redeem the code, so it never saw the ID token.', 'target');
  const signedIn = await session.isSignedIn();
  const accessTokens = new Set(
    ctx.journal
      .issued({ kind: 'access_token' })
      .filter((a) => a.parent === login.code)
      .map((a) => a.value),
  );
  const apiUses = ctx.journal
    .entries({ endpoint: 'api' })
    .filter((e) => e.bearer?.token && accessTokens.has(e.bearer.token));
  ctx.observe(
    `With ${fault.name}: ${signedIn ? 'SIGNED IN' : 'not signed in'}; the access token from that login was used ` +
      `for ${apiUses.length} API call(s).`,
  );
  if (signedIn) return 'signed-in';
  if (apiUses.length > 0) return 'api-used';
  return undefined;
}

/**
 * Builds the run of an ID token check: control login, then one faulted login per fault. `labels[i]`
 * names what fault `i` sends, when the faults differ in more than their `alg`.
 */
function idTokenRun(faults: Fault[], what: string, needsNonce = false, labels?: string[]): ClientCheck['run'] {
  return async (ctx): Promise<Outcome> => {
    await requireIdTokenControl(ctx, needsNonce);
    for (const [i, fault] of faults.entries()) {
      const label = labels?.[i] ?? (faults.length > 1 && 'alg' in fault ? `${what} (alg "${fault.alg}")` : what);
      const finding = await faultedLogin(ctx, fault, `faulted-${i + 1}`);
      if (finding === 'signed-in') return fail(`The client signed the person in with ${label}.`);
      if (finding === 'api-used') return fail(`The client used the tokens that came with ${label} to call the API.`);
    }
    return pass(`The client refused ${what}.`);
  };
}

interface IdTokenCheckSpec {
  id: string;
  title: string;
  severity: Severity;
  refs: RefKey[];
  requirement: Requirement;
  faults: Fault[];
  what: string;
  /** What each fault sends, in the order of `faults` (default: `what`). */
  labels?: string[];
  must: string;
  rationale: string;
  remediation: string;
  needsNonce?: boolean;
}

function idTokenCheck(spec: IdTokenCheckSpec): ClientCheck {
  return defineClientCheck({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    refs: spec.refs,
    requirement: spec.requirement,
    faults: spec.faults.map((f) => f.name),
    must: spec.must,
    rationale: spec.rationale,
    remediation: spec.remediation,
    run: idTokenRun(spec.faults, spec.what, spec.needsNonce, spec.labels),
  });
}

const USE_A_LIBRARY =
  'Use a maintained OpenID Connect or JOSE library (openid-client, oauth4webapi, jose, Authlib) and let it ' +
  'validate the ID token instead of decoding it yourself.';

/** An ID token with an invalid signature is refused. */
export const idTokenSignature = idTokenCheck({
  id: 'id-token.signature',
  title: 'ID token signature is verified',
  severity: 'critical',
  refs: ['OIDC-3.1.3.7-6'],
  requirement: {
    text: 'The Client MUST validate the signature of all other ID Tokens according to JWS [JWS] using the algorithm specified in the JWT alg Header Parameter.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-6',
    allowances: [TOKEN_ENDPOINT_ID_TOKEN],
  },
  faults: [{ name: 'id-token.bad-signature' }],
  what: 'an ID token with an invalid signature',
  must: 'An ID token with an invalid signature is rejected.',
  rationale:
    'The ID token tells your client who signed in. Its signature is the only proof that the provider wrote it; ' +
    'a client that merely base64-decodes the payload believes anyone who can put a token in front of it, so an ' +
    'attacker can sign in as any user by editing the `sub` or `email` claim.',
  // OIDC Core 3.1.3.7 step 6 lets a client trust an ID token from the token endpoint over TLS, and the
  // maintained libraries rely on that by default: recommending them here must say how to switch it off.
  remediation:
    "Verify the signature of every ID token against the provider's JWKS (from `jwks_uri`), with the algorithm " +
    'you expect (RS256 for lexoffice), before reading any claim. Maintained libraries skip this by default for an ID ' +
    'token that came from the token endpoint (OpenID Connect Core §3.1.3.7 step 6 allows relying on TLS there): ' +
    'with openid-client v6, call `client.enableNonRepudiationChecks(config)` (or pass ' +
    '`execute: [client.enableNonRepudiationChecks]` to `discovery()`); with oauth4webapi, call ' +
    '`validateApplicationLevelSignature(as, response)` after `processAuthorizationCodeResponse`; with jose, use ' +
    '`jwtVerify(idToken, createRemoteJWKSet(new URL(jwks_uri)), { algorithms: ["RS256"] })`.',
});

/** An unsigned ID token (`alg: none`, any casing) is refused. */
export const idTokenAlgNone = idTokenCheck({
  id: 'id-token.alg-none',
  title: 'Unsigned ID token (alg none) is rejected',
  severity: 'critical',
  refs: ['OIDC-3.1.3.7-6', 'OIDC-3.1.3.7-7', 'RFC8725-3.1'],
  requirement: {
    text: 'The alg value SHOULD be the default of RS256 or the algorithm sent by the Client in the id_token_signed_response_alg parameter during Registration; an unsigned token is not validated as step 6 requires.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-6',
    allowances: [TOKEN_ENDPOINT_ID_TOKEN],
  },
  faults: [
    { name: 'id-token.alg-none', alg: 'none' },
    { name: 'id-token.alg-none', alg: 'None' },
    { name: 'id-token.alg-none', alg: 'NONE' },
  ],
  what: 'an unsigned ID token',
  must: 'An unsigned ID token (`alg: none`, any casing) is rejected.',
  rationale:
    'JWT allows `"alg": "none"`, meaning "no signature". Libraries that take the algorithm from the token ' +
    'header accept such a token as valid, so an attacker can write any claims they like and remove the ' +
    'signature. Variants like "None" or "NONE" slip past case-sensitive blocklists.',
  remediation:
    `${USE_A_LIBRARY} Configure an allow-list of algorithms (e.g. \`algorithms: ["RS256"]\`) and never take the ` +
    'algorithm from the token header.',
});

/** An HS256 ID token keyed with the provider's RSA public key is refused. */
export const idTokenAlgConfusion = idTokenCheck({
  id: 'id-token.alg-confusion',
  title: 'HS256 ID token keyed with the public key is rejected',
  severity: 'critical',
  refs: ['RFC8725-3.1', 'OIDC-3.1.3.7-8'],
  requirement: {
    text: 'Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations.',
    level: 'MUST',
    ref: 'RFC8725-3.1',
    allowances: [TOKEN_ENDPOINT_ID_TOKEN],
  },
  faults: [{ name: 'id-token.hs256-public-key' }],
  what: 'an HS256 ID token keyed with the provider’s public key',
  must: "An HS256 ID token keyed with the provider's RSA public key is rejected.",
  rationale:
    'In the "algorithm confusion" attack the attacker switches the header to HS256 and signs the token with an ' +
    'HMAC whose key is the provider’s public RSA key, which everybody can download. A verifier that passes "the ' +
    'key" to a function that also honours the header’s algorithm then checks the HMAC with that public key and ' +
    'accepts the forgery.',
  remediation:
    `${USE_A_LIBRARY} Pin the expected algorithm (RS256) and key type when verifying, so an RSA key can never be ` +
    'used as an HMAC secret.',
});

/** An ID token with a wrong issuer is refused. */
export const idTokenIss = idTokenCheck({
  id: 'id-token.iss',
  title: 'ID token issuer is checked',
  severity: 'high',
  refs: ['OIDC-3.1.3.7-2'],
  requirement: {
    text: 'The Issuer Identifier for the OpenID Provider [...] MUST exactly match the value of the iss (issuer) Claim.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-2',
  },
  faults: [{ name: 'id-token.wrong-iss' }],
  what: 'an ID token with a wrong issuer',
  must: 'An ID token with a wrong issuer is rejected.',
  rationale:
    'The `iss` claim says which provider issued the token. A client that talks to several providers (or to a ' +
    'provider that hosts several tenants) and skips this check accepts tokens from the wrong one, e.g. one ' +
    'the attacker controls.',
  remediation: `${USE_A_LIBRARY} Require \`iss\` to equal exactly the issuer from the discovery document you configured.`,
});

/** An ID token for another audience is refused. */
export const idTokenAud = idTokenCheck({
  id: 'id-token.aud',
  title: 'ID token audience is checked',
  severity: 'high',
  refs: ['OIDC-3.1.3.7-3'],
  requirement: {
    text: 'The Client MUST validate that the aud (audience) Claim contains its client_id value [...]. The ID Token MUST be rejected if the ID Token does not list the Client as a valid audience.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-3',
  },
  faults: [{ name: 'id-token.wrong-aud' }, { name: 'id-token.aud-missing' }],
  what: 'an ID token issued for another client and one without an audience',
  labels: ['an ID token issued for another client', 'an ID token without an `aud` claim'],
  must: 'An ID token for another audience, or without `aud`, is rejected.',
  rationale:
    'An ID token is issued for one client (`aud` = its client id). If your client accepts tokens for other ' +
    'audiences, any other application at the same provider, including a malicious one, can replay the ID ' +
    'tokens its users gave it to sign in to your application as those users.',
  remediation:
    `${USE_A_LIBRARY} Require \`aud\` to contain your client id (and \`azp\` to be your client id when several ` +
    'audiences are present).',
});

/** An expired ID token is refused. */
export const idTokenExp = idTokenCheck({
  id: 'id-token.exp',
  title: 'Expired ID token is rejected',
  severity: 'high',
  refs: ['OIDC-3.1.3.7-9'],
  requirement: {
    text: 'The current time MUST be before the time represented by the exp Claim.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-9',
  },
  faults: [{ name: 'id-token.expired' }],
  what: 'an expired ID token',
  must: 'An expired ID token is rejected.',
  rationale:
    'ID tokens are short-lived on purpose: a token that leaked yesterday should be useless today. A client ' +
    'that ignores `exp` accepts old, captured tokens forever.',
  remediation: `${USE_A_LIBRARY} Reject ID tokens whose \`exp\` is in the past, allowing at most a small clock skew (a minute or two).`,
});

/** An ID token with a wrong nonce is refused. */
export const idTokenNonce = idTokenCheck({
  id: 'id-token.nonce',
  title: 'ID token nonce is checked',
  severity: 'high',
  refs: ['OIDC-3.1.3.7-11'],
  requirement: {
    text: 'If a nonce value was sent in the Authentication Request, a nonce Claim MUST be present and its value checked to verify that it is the same value as the one that was sent in the Authentication Request.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-11',
  },
  faults: [{ name: 'id-token.wrong-nonce' }],
  what: 'an ID token with a wrong nonce',
  must: 'An ID token with a wrong nonce is rejected.',
  needsNonce: true,
  rationale:
    'Sending a nonce is pointless if the answer is not compared. The nonce claim is what proves the ID token ' +
    'belongs to this login rather than being replayed or injected from another one, for example an ID token ' +
    'the attacker obtained for their own login.',
  remediation:
    `${USE_A_LIBRARY} Pass the nonce you stored for this login to the validation and require the ID token’s ` +
    '`nonce` claim to equal it.',
});
