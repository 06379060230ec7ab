/**
 * pkce.verifier-sent, pkce.verifier-format and pkce.verifier-fresh: the token request proves
 * possession of a well-formed, high-entropy verifier, new for every login (RFC 7636 §4.1, §4.5, §7.1).
 */
import type { ClientCheckContext } from '../types.js';
import { ordinaryCompleted, tokenRequestsForCode } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { FAPI2_PKCE } from '../lib/allowances.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';
import { sentPkce, verifierMatches, VERIFIER_FORMAT } from '../lib/pkce.js';
import { GUESSABLE_BELOW_BITS, judgeEntropy, sampleAuthorizationRequests, sampleLogins } from '../lib/samples.js';

/** The code artifact the provider issued for a code value. */
function codeArtifact(ctx: ClientCheckContext, code: string) {
  return ctx.journal.issued({ kind: 'code' }).find((a) => a.value === code);
}

/** The token request carries a `code_verifier` that matches the code's challenge. */
export const pkceVerifierSent = defineClientCheck({
  id: 'pkce.verifier-sent',
  title: 'Token request carries the matching code_verifier',
  severity: 'high',
  refs: ['RFC7636-4.5'],
  requirement: {
    text: 'code_verifier: REQUIRED. Code verifier (in the access token request).',
    level: 'MUST',
    ref: 'RFC7636-4.5',
    fapi2: FAPI2_PKCE,
  },
  must: 'The token request carries a `code_verifier` matching the challenge.',
  rationale:
    'A code challenge protects nothing if the token request does not prove knowledge of the verifier: a ' +
    'lenient provider will then hand out tokens for a stolen code. A client that sends the wrong verifier ' +
    '(e.g. from another login in a shared variable) breaks under concurrent logins.',
  remediation:
    'Keep the verifier together with the state in the session of the login that created it, and send it as ' +
    '`code_verifier` in the token request for exactly that login’s code. Never keep it in a module-level ' +
    'variable, which another person’s login would overwrite.',
  async run(ctx) {
    const { login } = await ordinaryCompleted(ctx);
    if (!login.code) stopError('The provider sent no code.', 'harness');
    // What the client sent is read from its authorization request, as pkce.present reads it; the
    // provider's record of the code only says whether the provider took the challenge into account.
    const sent = sentPkce(login.request.params);
    if (!sent) stopNotApplicable('The client sent no code_challenge (see pkce.present).');
    const providerBound = Boolean(codeArtifact(ctx, login.code)?.codeChallenge);
    if (!providerBound) {
      ctx.observe(
        'The provider ignores PKCE: it bound no code_challenge to the code (its metadata advertises no ' +
          'code_challenge_methods_supported), so it would not check a code_verifier. The verifier is compared ' +
          'with the challenge the client sent instead.',
      );
    }
    const requests = tokenRequestsForCode(ctx, login.code);
    if (requests.length === 0) stopError('The client did not redeem the code at the token endpoint.', 'target');
    const verifier = requests[0].token?.codeVerifier;
    ctx.observe(
      verifier
        ? `The token request carries a code_verifier (${verifier.length} characters).`
        : 'The token request carries no code_verifier.',
    );
    if (!verifier) return fail('The client sent a code_challenge, but its token request carries no code_verifier.');
    const matches = verifierMatches(verifier, sent);
    ctx.observe(`The verifier ${matches ? 'matches' : 'does NOT match'} the ${sent.method} challenge the client sent.`);
    const where = providerBound ? '' : ' (the provider ignores PKCE, so only the client’s side could be checked)';
    return matches
      ? pass(`The token request carries the code_verifier that matches the client’s code_challenge${where}.`)
      : fail(`The code_verifier in the token request does not match the client’s code_challenge${where}.`);
  },
});

/** 43–128 unreserved characters with high entropy, over several logins. */
export const pkceVerifierFormat = defineClientCheck({
  id: 'pkce.verifier-format',
  title: 'code_verifier is well-formed and high-entropy',
  severity: 'medium',
  refs: ['RFC7636-4.1', 'RFC7636-7.1'],
  requirement: {
    text: 'code-verifier = 43*128unreserved: a high-entropy cryptographic random STRING using the unreserved characters, with a minimum length of 43 characters and a maximum length of 128 characters.',
    level: 'MUST',
    ref: 'RFC7636-4.1',
  },
  must:
    'The verifier is 43-128 unreserved characters of cryptographically random data (clearly guessable below ' +
    `${GUESSABLE_BELOW_BITS} bits estimated fails; below the recommended 256 bits warns).`,
  rationale:
    'The verifier is the only secret that makes a stolen code useless, so it must be impossible to guess. RFC ' +
    '7636 §4.1 fixes its format (43 to 128 characters from A-Z, a-z, 0-9 and "-._~") and calls it a ' +
    '"high-entropy cryptographic random STRING"; a strict provider rejects any other format, and a verifier ' +
    `built from a timestamp or a counter (below ${GUESSABLE_BELOW_BITS} bits estimated) can be guessed. §7.1 ` +
    'recommends (SHOULD) at least 256 bits, i.e. 32 random bytes: less is a warning, not a failure.',
  remediation:
    'Generate the verifier as 32 bytes from a cryptographically secure random generator, base64url-encoded ' +
    'without padding (43 characters), e.g. `crypto.randomBytes(32).toString("base64url")`.',
  async run(ctx) {
    const logins = await sampleLogins(ctx, 5);
    const verifiers: string[] = [];
    for (const l of logins) {
      if (!l.code) continue;
      const v = tokenRequestsForCode(ctx, l.code)[0]?.token?.codeVerifier;
      if (v) verifiers.push(v);
    }
    if (verifiers.length < logins.length) {
      stopNotApplicable('Not every login sent a code_verifier (see pkce.present and pkce.verifier-sent).');
    }
    const malformed = verifiers.filter((v) => !VERIFIER_FORMAT.test(v));
    ctx.observe(
      `${verifiers.length} verifiers, lengths ${verifiers.map((v) => v.length).join(', ')}; ${malformed.length} outside 43*128unreserved.`,
    );
    if (malformed.length > 0) {
      return fail(
        `The code_verifier does not follow RFC 7636 §4.1 (43-128 unreserved characters): length ${malformed[0].length}.`,
      );
    }
    return judgeEntropy(ctx, 'code_verifier', verifiers, {
      // RFC 7636 §4.1: "code_verifier = high-entropy cryptographic random STRING". A value derived from a
      // clock or a counter is not that; below the floor for random session-binding values it is guessable.
      failBelow: GUESSABLE_BELOW_BITS,
      failBasis: 'RFC 7636 §4.1 requires a high-entropy cryptographic random string',
      // RFC 7636 §7.1: "The client SHOULD create a "code_verifier" with a minimum of 256 bits of entropy.
      // This can be done by having a suitable random number generator create a 32-octet sequence." A SHOULD:
      // falling short of it is a finding against that SHOULD, which the policy judges.
      warnBelow: 256,
      warnBasis: 'RFC 7636 §7.1 recommends (SHOULD, a 32-octet random sequence)',
      warnRequirement: {
        text: 'The client SHOULD create a "code_verifier" with a minimum of 256 bits of entropy.',
        level: 'SHOULD',
        ref: 'RFC7636-7.1',
      },
    });
  },
});

/** A new verifier (and so a new challenge) for every login, also within one session. */
export const pkceVerifierFresh = defineClientCheck({
  id: 'pkce.verifier-fresh',
  title: 'A new code_verifier for every login',
  severity: 'high',
  refs: ['RFC7636-4.1'],
  requirement: {
    text: 'In any case, the PKCE challenge or OpenID Connect nonce MUST be transaction-specific and securely bound to the client and the user agent in which the transaction was started.',
    level: 'MUST',
    ref: 'RFC9700-2.1.1',
  },
  must: 'A new verifier for every login.',
  rationale:
    'A verifier that is reused (one per session, one per process, or a constant in the code) stops protecting ' +
    'anything as soon as it has been seen once, for instance in a token request logged by a proxy. It also ' +
    'shows that the client keeps login secrets in the wrong place.',
  remediation:
    'Create the verifier when the login starts, store it with that login’s state, and delete it after the ' +
    'callback. Never keep it in a global variable or a configuration value.',
  async run(ctx) {
    const requests = await sampleAuthorizationRequests(ctx, 4);
    const challenges = requests.map((r) => sentPkce(r.params)?.challenge).filter((c): c is string => Boolean(c));
    if (challenges.length < requests.length)
      stopNotApplicable('Some authorization requests carry no code_challenge (see pkce.present).');
    const distinct = new Set(challenges).size;
    ctx.observe(`${challenges.length} logins (two in one session) used ${distinct} distinct code challenges.`, {
      challenges,
    });
    return distinct === challenges.length
      ? pass('Every login used a new code challenge, so a new verifier.')
      : fail('The client reused a code_verifier across logins.');
  },
});
