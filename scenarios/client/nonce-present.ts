/** nonce.present: requests with scope `openid` carry a fresh nonce (OIDC Core §3.1.2.1). */
import { estimateEntropy } from '../lib/entropy.js';
import { scopesOf } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';
import { GUESSABLE_BELOW_BITS, sampleAuthorizationRequests } from '../lib/samples.js';

/** Every OpenID authorization request carries a nonce, new for every login. */
export const noncePresent = defineClientCheck({
  id: 'nonce.present',
  title: 'OpenID requests carry a fresh nonce',
  severity: 'low',
  refs: ['OIDC-3.1.2.1', 'OIDC-15.5.2'],
  requirement: {
    text: 'nonce: OPTIONAL. String value used to associate a Client session with an ID Token, and to mitigate replay attacks (required only in the implicit flow); RFC 9700 2.1 relies on it for CSRF protection in OpenID flows.',
    level: 'RECOMMENDED',
    ref: 'OIDC-3.1.2.1',
  },
  must:
    'Requests with scope `openid` carry a fresh, unguessable `nonce` (unique per login; clearly guessable below ' +
    `${GUESSABLE_BELOW_BITS} bits estimated).`,
  rationale:
    'The nonce is copied by the provider into the ID token, which lets your client check that the ID token was ' +
    'issued for this very login and not replayed from another one. Without a nonce (or with one that repeats), ' +
    'an ID token captured once can be injected again. OIDC Core §3.1.2.1 requires enough entropy that the nonce ' +
    `cannot be guessed; a nonce built from a clock or a counter (below ${GUESSABLE_BELOW_BITS} bits estimated) can be.`,
  remediation:
    'For every login with scope `openid`, generate a random nonce (at least 128 bits), store it with the state ' +
    'and send it as `nonce`. When the ID token arrives, require its `nonce` claim to equal the stored value.',
  async run(ctx) {
    const requests = await sampleAuthorizationRequests(ctx, 4);
    const oidc = requests.filter((r) => scopesOf(r.params.scope).includes('openid'));
    if (oidc.length === 0) stopNotApplicable('The client does not request the openid scope.');
    const nonces = oidc.map((r) => r.params.nonce).filter((n): n is string => Boolean(n));
    ctx.observe(`${oidc.length} OpenID authorization requests, ${nonces.length} with a nonce.`, { nonces });
    if (nonces.length < oidc.length) return fail('An OpenID authorization request carries no nonce.');
    const e = estimateEntropy(nonces);
    ctx.observe(`Nonces: ${e.unique ? 'all different' : 'REPEATED'}, about ${e.bits} bits estimated.`, { estimate: e });
    if (!e.unique) return fail('The client reused a nonce across logins (two of them in one session).');
    // OIDC Core §3.1.2.1: "Sufficient entropy MUST be present in the nonce values used to prevent attackers
    // from guessing values." §15.5.2 adds that the nonce "needs to include per-session state and be
    // unguessable to attackers"; neither gives a number. Below the floor for random session-binding values
    // (OWASP: 64 bits for session identifiers) the nonce is guessable: a violated MUST.
    if (e.bits < GUESSABLE_BELOW_BITS) {
      return fail(
        `The nonce is guessable: about ${e.bits} bits estimated, below ${GUESSABLE_BELOW_BITS} (OIDC Core §3.1.2.1 requires sufficient entropy to prevent guessing).`,
      );
    }
    // The bound, not the estimate, which moves a little with the client's random values (see judgeEntropy).
    return pass(
      `Every OpenID authorization request carries a new, unguessable nonce (at least ${GUESSABLE_BELOW_BITS} bits by estimate).`,
    );
  },
});
