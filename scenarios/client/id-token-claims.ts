/**
 * ID token claims beyond the signature (OIDC Core §2, §3.1.3.7, §3.1.3.8, §10.1, §12.2): `iat`, `sub`,
 * several audiences and `azp`, `at_hash`, a missing `kid`, and the ID token of a refresh. Each check
 * injects one defect into an otherwise valid ID token and watches whether the client signs the person
 * in (or keeps them signed in) with it. The requirement each declares is the sentence of the cited
 * text and its level: several of these rules are only recommended, and say so.
 */
import type { Fault } from '../../mock-idp/types.js';
import type { ClientCheckContext, Outcome, Requirement } from '../types.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';
import { faultedLogin, requireIdTokenControl } from './id-token-validation.js';
import { loginWithShortLivedTokens, refreshAfterExpiry } from './refresh.js';

const USE_A_LIBRARY =
  'Use a maintained OpenID Connect or JOSE library (openid-client, oauth4webapi, jose, Authlib) and let it ' +
  'validate the ID token instead of decoding it yourself.';

/** A finding that breaks only `requirement` (not the check's own). */
function failOn(requirement: Requirement, summary: string): Outcome {
  return { verdict: 'fail', summary, requirement };
}

/** The failure text of a faulted login, or undefined when the client refused it. */
async function accepted(ctx: ClientCheckContext, fault: Fault, label: string, what: string) {
  const finding = await faultedLogin(ctx, fault, label);
  if (finding === 'signed-in') return `The client signed the person in with ${what}.`;
  if (finding === 'api-used') return `The client used the tokens that came with ${what} to call the API.`;
  return undefined;
}

/** OIDC Core 3.1.3.7 step 10: rejecting a far-off `iat` is left to the client (a MAY). */
const IAT_FAR_OFF: Requirement = {
  text:
    'The iat Claim can be used to reject tokens that were issued too far away from the current time, limiting ' +
    'the amount of time that nonces need to be stored to prevent attacks. The acceptable range is Client specific.',
  level: 'RECOMMENDED',
  ref: 'OIDC-3.1.3.7-10',
};

/** An ID token without `iat`, or with `iat` a day in the future, is rejected. */
export const idTokenIat = defineClientCheck({
  id: 'id-token.iat',
  kinds: ['web'],
  title: 'ID token without iat, or issued in the future, is rejected',
  severity: 'medium',
  refs: ['OIDC-2', 'OIDC-3.1.3.7-10'],
  faults: ['id-token.iat'],
  must: 'An ID token without `iat`, or with `iat` far in the future, is rejected.',
  requirement: {
    text: 'iat REQUIRED. Time at which the JWT was issued.',
    level: 'MUST',
    ref: 'OIDC-2',
  },
  rationale:
    'Every ID token must say when it was issued (`iat` is a REQUIRED claim): a token without it is not a valid ID ' +
    'token, and accepting it means the client accepts whatever a broken or hostile issuer sends. A token "issued" ' +
    'a day from now is a sign of a forged token or a badly wrong clock; OpenID Connect lets the client reject such ' +
    'far-off times (a recommendation, not a MUST), which bounds how long a captured token or nonce stays useful.',
  remediation:
    `${USE_A_LIBRARY} Require the claims \`iat\`, \`exp\` and \`sub\` (jose: \`requiredClaims\`), and bound the token age ` +
    "(jose: `maxTokenAge: '10 minutes'` with a small `clockTolerance`) so an `iat` in the future is refused too.",
  async run(ctx) {
    await requireIdTokenControl(ctx);
    const missing = await accepted(
      ctx,
      { name: 'id-token.iat', variant: 'missing' },
      'faulted-1',
      'an ID token without iat',
    );
    if (missing) return fail(missing);
    const future = await accepted(
      ctx,
      { name: 'id-token.iat', variant: 'future' },
      'faulted-2',
      'an ID token whose iat is a day in the future',
    );
    if (future) return failOn(IAT_FAR_OFF, future);
    return pass('The client refused an ID token without iat and one issued a day in the future.');
  },
});

/** An ID token without `sub` is rejected. */
export const idTokenSub = defineClientCheck({
  id: 'id-token.sub',
  kinds: ['web'],
  title: 'ID token without sub is rejected',
  severity: 'high',
  refs: ['OIDC-2'],
  faults: ['id-token.sub-missing'],
  must: 'An ID token without `sub` is rejected.',
  requirement: {
    text:
      'sub REQUIRED. Subject Identifier. A locally unique and never reassigned identifier within the Issuer for the ' +
      'End-User, which is intended to be consumed by the Client.',
    level: 'MUST',
    ref: 'OIDC-2',
  },
  rationale:
    '`sub` is the one claim that says who signed in; it is REQUIRED in every ID token. A client that accepts an ID ' +
    'token without it has to take the identity from somewhere else (an email claim, the userinfo response, a ' +
    'default), which is exactly where account mix-ups and takeovers come from. A token without `sub` is broken or ' +
    'forged and must end the login.',
  remediation:
    `${USE_A_LIBRARY} Require \`sub\` (jose: \`requiredClaims: ['sub', 'iat', 'exp']\`) and key your accounts on ` +
    'the pair (`iss`, `sub`), never on an email address.',
  async run(ctx) {
    await requireIdTokenControl(ctx);
    const finding = await accepted(ctx, { name: 'id-token.sub-missing' }, 'faulted-1', 'an ID token without sub');
    if (finding) return fail(finding);
    return pass('The client refused an ID token without sub.');
  },
});

/** Several audiences without `azp`, or with a wrong `azp`, are rejected. */
export const idTokenAzp = defineClientCheck({
  id: 'id-token.azp',
  kinds: ['web'],
  title: 'ID token with several audiences and no or a wrong azp is rejected',
  severity: 'medium',
  refs: ['OIDC-3.1.3.7-3', 'OIDC-3.1.3.7-4', 'OIDC-3.1.3.7-5'],
  faults: ['id-token.azp'],
  must: 'An ID token with several audiences and no `azp`, or with an `azp` that is not the client, is rejected.',
  requirement: {
    text:
      'The ID Token MUST be rejected if the ID Token does not list the Client as a valid audience, or if it contains ' +
      'additional audiences not trusted by the Client.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-3',
  },
  rationale:
    'An ID token can name several audiences; the `azp` (authorized party) claim then says which of them the token ' +
    'was issued to. The extra audience the test adds ("another-client.invalid") is not trusted by any client, so ' +
    'accepting the token breaks the MUST of step 3; without the `azp` checks of steps 4 and 5 a token issued to ' +
    'another application that merely lists yours as well signs people in to your application.',
  remediation:
    `${USE_A_LIBRARY} When \`aud\` is an array with more than one entry, require \`azp\` to equal your client id ` +
    '(oauth4webapi and openid-client do this; with jose alone, add the check after `jwtVerify`), and refuse audiences ' +
    'you do not trust.',
  async run(ctx) {
    await requireIdTokenControl(ctx);
    const missing = await accepted(
      ctx,
      { name: 'id-token.azp', variant: 'missing' },
      'faulted-1',
      'an ID token for two audiences without azp',
    );
    if (missing) return fail(missing);
    const wrong = await accepted(
      ctx,
      { name: 'id-token.azp', variant: 'wrong' },
      'faulted-2',
      'an ID token for two audiences whose azp names the other client',
    );
    if (wrong) return fail(wrong);
    return pass('The client refused ID tokens with an untrusted extra audience, without azp and with a wrong azp.');
  },
});

/** A wrong `at_hash` is rejected (code flow: the client MAY check it). */
export const idTokenAtHash = defineClientCheck({
  id: 'id-token.at-hash',
  kinds: ['web'],
  title: 'ID token whose at_hash does not match the access token is rejected',
  severity: 'low',
  refs: ['OIDC-3.1.3.8', 'OIDC-3.2.2.9'],
  faults: ['id-token.at-hash-wrong'],
  must: 'An ID token whose `at_hash` does not match the access token is rejected.',
  requirement: {
    text:
      'If the ID Token contains an at_hash Claim, the Client MAY use it to validate the Access Token in the same ' +
      'manner as for the Implicit Flow, as defined in Section 3.2.2.9, but using the ID Token and Access Token ' +
      'returned from the Token Endpoint.',
    level: 'RECOMMENDED',
    ref: 'OIDC-3.1.3.8',
  },
  rationale:
    '`at_hash` binds the access token to the signed ID token: it is half of the SHA-256 of the access token. In the ' +
    'code flow both come over TLS in one token response, so OpenID Connect leaves the check to the client (MAY): ' +
    'this is defence in depth, reported as a recommendation. A client that checks it notices a token response in ' +
    'which the access token was swapped, for example by a misbehaving proxy or a mix-up between two logins.',
  remediation:
    'When the ID token has `at_hash`, hash the access token with the hash of the ID token’s `alg` (SHA-256 for ' +
    'RS256), take the left half, base64url-encode it, and compare it with the claim before using the access token. ' +
    'Refuse the login when they differ; most libraries leave this comparison to you in the code flow.',
  async run(ctx) {
    await requireIdTokenControl(ctx);
    const finding = await accepted(
      ctx,
      { name: 'id-token.at-hash-wrong' },
      'faulted-1',
      'an ID token whose at_hash belongs to another access token',
    );
    if (finding) return fail(finding);
    return pass('The client refused an ID token whose at_hash does not match the access token.');
  },
});

/** OIDC Core 10.1: a one-key JWK Set needs no `kid`, so a client should verify such a token. */
const KID_ONE_KEY: Requirement = {
  text: 'If there are multiple keys in the referenced JWK Set document, a kid value MUST be provided in the JOSE Header.',
  level: 'RECOMMENDED',
  ref: 'OIDC-10.1',
};

/** Without `kid`: verified against the one key; with several keys, never accepted unverified. */
export const idTokenKidAbsent = defineClientCheck({
  id: 'id-token.kid-absent',
  kinds: ['web'],
  title: 'ID token without kid is verified, never accepted unverified',
  severity: 'low',
  refs: ['OIDC-10.1', 'OIDC-3.1.3.7-6'],
  faults: ['id-token.kid-absent'],
  ownIssuer: true,
  must:
    'An ID token without `kid` verifies against a one-key JWKS; with several keys it is verified against the right one ' +
    'or refused, never accepted unverified.',
  requirement: {
    text:
      'The Client MUST validate the signature of all other ID Tokens according to JWS [JWS] using the algorithm ' +
      'specified in the JWT alg Header Parameter. The Client MUST use the keys provided by the Issuer.',
    level: 'MUST',
    ref: 'OIDC-3.1.3.7-6',
    allowances: [
      {
        name: 'The ID token came directly from the token endpoint',
        text:
          'If the ID Token is received via direct communication between the Client and the Token Endpoint (which it ' +
          'is in this flow), the TLS server validation MAY be used to validate the issuer in place of checking the ' +
          'token signature.',
        ref: 'OIDC-3.1.3.7-6',
        facts: ['single-provider'],
        controls: ['flow.code-only'],
      },
    ],
  },
  rationale:
    'The `kid` header names the key a token was signed with. It is optional when the provider publishes one key, so a ' +
    'client that demands it locks people out. Code that looks the key up by `kid` and, finding none, skips the ' +
    'signature check ("no kid, nothing to verify") is worse: anyone can then mint ID tokens by leaving `kid` out.',
  remediation:
    `${USE_A_LIBRARY} Resolve the key from the JWKS by \`kid\` when present, otherwise by algorithm and key type; ` +
    "with one candidate use it, with several try each (jose's `createRemoteJWKSet` does) or refuse the token, and " +
    'never continue without a verified signature.',
  async run(ctx) {
    // A client that does not use OpenID Connect receives no ID token to verify.
    await requireIdTokenControl(ctx);
    const oneKey = await faultedLogin(ctx, { name: 'id-token.kid-absent', jwks: 'one-key' }, 'faulted-1');
    if (oneKey === undefined) {
      return failOn(
        KID_ONE_KEY,
        'The client refused a valid ID token without kid although the provider publishes one key.',
      );
    }
    const several = await accepted(
      ctx,
      { name: 'id-token.kid-absent', jwks: 'several-keys' },
      'faulted-2',
      'an ID token without kid signed by a key that is in no JWKS',
    );
    if (several) return fail(`${several} It cannot have verified the signature.`);
    return pass(
      'The client verified an ID token without kid against the one published key, and refused one without kid that ' +
        'no published key verifies.',
    );
  },
});

/** OIDC Core 12.2: a refreshed ID token keeps the login's `iss` and `sub`. */
export const idTokenRefreshClaims = defineClientCheck({
  id: 'id-token.refresh-claims',
  title: 'Refreshed ID token for another subject or issuer is rejected',
  severity: 'high',
  refs: ['OIDC-12.2'],
  faults: ['token.short-lived', 'id-token.refresh-claims'],
  kinds: ['web'],
  must: 'An ID token from a refresh with another `iss` or `sub` than the login’s is rejected.',
  requirement: {
    text:
      'If an ID Token is returned as a result of a token refresh request, the following requirements apply: its iss ' +
      'Claim Value MUST be the same as in the ID Token issued when the original authentication occurred, its sub ' +
      'Claim Value MUST be the same as in the ID Token issued when the original authentication occurred.',
    level: 'MUST',
    ref: 'OIDC-12.2',
  },
  rationale:
    'A refresh may return a new ID token. It must be about the same person from the same provider; one that names ' +
    'another `sub` means the tokens now belong to someone else (a bug or an attack at the provider), and a client ' +
    'that keeps the session going shows one person’s data in another person’s session.',
  remediation:
    'Validate the refreshed ID token like the first one (signature, `iss`, `aud`, `exp`), then compare its `iss` ' +
    'and `sub` with those of the login and end the session when they differ. openid-client validates the token; ' +
    'the comparison with the session’s `sub` is yours.',
  async run(ctx) {
    await requireIdTokenControl(ctx);
    for (const claim of ['sub', 'iss'] as const) {
      ctx.idp.faults.clear(ctx.tag);
      ctx.arm({ name: 'id-token.refresh-claims', claim });
      const mark = Math.max(0, ...ctx.journal.entries().map((e) => e.seq));
      const before = new Set(ctx.journal.issued({ kind: 'access_token' }).map((a) => a.value));
      const { session } = await loginWithShortLivedTokens(ctx);
      // A client that tracks expires_in may already have refreshed while signing in.
      let requests = ctx.journal
        .entries({ endpoint: 'token' })
        .filter((e) => e.seq > mark && e.token?.grantType === 'refresh_token');
      if (requests.length === 0) requests = await refreshAfterExpiry(ctx, session, 1);
      const refreshIdTokens = ctx.journal
        .issued({ kind: 'id_token' })
        .filter((a) => requests.some((r) => r.token?.refreshToken === a.parent));
      if (refreshIdTokens.length === 0) {
        stopNotApplicable('The provider issued no ID token on refresh, so there is none to compare.');
      }
      const refreshTokensUsed = new Set(requests.map((r) => r.token?.refreshToken));
      const refreshed = new Set(
        ctx.journal
          .issued({ kind: 'access_token' })
          .filter((a) => !before.has(a.value) && refreshTokensUsed.has(a.parent))
          .map((a) => a.value),
      );
      const uses = ctx.journal
        .entries({ endpoint: 'api' })
        .filter((e) => e.bearer?.token && refreshed.has(e.bearer.token));
      const signedIn = await session.isSignedIn();
      ctx.observe(
        `Refreshed ID token with another ${claim}: ${signedIn ? 'still SIGNED IN' : 'signed out'}; the refreshed access ` +
          `token was used for ${uses.length} API call(s).`,
      );
      if (uses.length > 0 || signedIn) {
        return fail(`The client kept the session going after a refresh returned an ID token with another ${claim}.`);
      }
    }
    return pass('The client ended the session when a refreshed ID token named another subject or issuer.');
  },
});
