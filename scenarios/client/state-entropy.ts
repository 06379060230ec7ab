/**
 * state.entropy: state values are unguessable and unique per login (RFC 6749 §10.12).
 *
 * RFC 6749 §10.12: "The binding value used for CSRF protection MUST contain a non-guessable value (as
 * described in Section 10.10)". The 2^-128 figure of §10.10 ("The probability of an attacker guessing
 * generated tokens (and other credentials not intended for handling by end-users) MUST be less than or
 * equal to 2^(-128)") is a rule for the authorization server ("The authorization server MUST prevent
 * attackers from guessing access tokens, authorization codes, refresh tokens, resource owner passwords,
 * and client credentials"); the provider audit's `provider.token.entropy` applies it to what §10.10
 * names. A state is none of those: it is single-use and bound to one browser session, and §10.12 asks
 * that it be non-guessable. So a state fails when it is clearly guessable (below the session-identifier
 * floor, see {@link GUESSABLE_BELOW_BITS}) or repeats, and a random UUIDv4 (122 random bits) passes.
 */
import { defineClientCheck } from '../define.js';
import { stopNotApplicable } from '../lib/outcome.js';
import {
  GUESSABLE_BELOW_BITS,
  judgeEntropy,
  sampleAuthorizationRequests,
  SHARED_REQUEST_SAMPLES,
} from '../lib/samples.js';
import { CSRF_ALLOWANCES } from '../lib/allowances.js';

/** state is non-guessable (not clearly guessable over several logins) and never repeats. */
export const stateEntropy = defineClientCheck({
  id: 'state.entropy',
  title: 'state is unguessable and unique',
  severity: 'high',
  refs: ['RFC6749-10.12', 'RFC6749-10.10', 'OWASP-SESSION'],
  requirement: {
    text: 'The binding value used for CSRF protection MUST contain a non-guessable value.',
    level: 'MUST',
    ref: 'RFC6749-10.12',
    allowances: CSRF_ALLOWANCES,
  },
  must: `state is non-guessable (at least ${GUESSABLE_BELOW_BITS} bits estimated, the floor for session identifiers) and unique across logins.`,
  rationale:
    '`state` only protects the callback if an attacker cannot predict it: RFC 6749 §10.12 requires the value that ' +
    'binds the callback to the browser to be non-guessable. A timestamp, a counter, a user id or a short random ' +
    'number can be guessed or enumerated, and a value that is reused across logins can be learned once and ' +
    'replayed. The harness collects state from several logins and credits only the parts that vary like random ' +
    `noise; below ${GUESSABLE_BELOW_BITS} bits (OWASP's minimum for session identifiers) the state counts as ` +
    'guessable. A random UUIDv4 (122 random bits) or 16 random bytes are not guessable. The stricter 2^-128 bound ' +
    'of §10.10 is the provider’s rule for tokens, codes and credentials (see `provider.token.entropy`).',
  remediation:
    'Generate state with a cryptographically secure random generator, e.g. `crypto.randomBytes(32).toString("base64url")` ' +
    'in Node.js or `secrets.token_urlsafe(32)` in Python, once per login. Do not derive it from the time, a ' +
    'counter or the session id, and do not reuse it after the callback.',
  async run(ctx) {
    const requests = await sampleAuthorizationRequests(ctx, SHARED_REQUEST_SAMPLES);
    const values = requests.map((r) => r.params.state).filter((v): v is string => Boolean(v));
    if (values.length < requests.length)
      stopNotApplicable('Some authorization requests carry no state (see state.present).');
    return judgeEntropy(ctx, 'state', values, {
      // RFC 6749 §10.12: "The binding value used for CSRF protection MUST contain a non-guessable value".
      // OWASP: "Session identifiers must have at least 64 bits of entropy to prevent brute-force session
      // guessing attacks." Below that floor the state is guessable: a violated MUST.
      failBelow: GUESSABLE_BELOW_BITS,
      failBasis: `RFC 6749 §10.12 requires a non-guessable state; OWASP puts that floor at ${GUESSABLE_BELOW_BITS} bits`,
    });
  },
});
