/** id-token.kid-rotation: after a signing key rotation the client refetches the JWKS (OIDC Core §10.1.1). */
import { completeLogin, ownControlLogin } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable, warn } from '../lib/outcome.js';
import { requireIdTokenControl } from './id-token-validation.js';

/** An ID token signed with a newly published key (new `kid`) signs the person in. */
export const idTokenKidRotation = defineClientCheck({
  id: 'id-token.kid-rotation',
  title: 'Signing key rotation is followed',
  severity: 'low',
  refs: ['OIDC-10.1.1'],
  requirement: {
    text: 'The verifier knows to go back to the jwks_uri location to re-retrieve the keys when it sees an unfamiliar kid value (a described practice, no keyword).',
    level: 'RECOMMENDED',
    ref: 'OIDC-10.1.1',
  },
  faults: ['id-token.rotated-key'],
  must: 'After the provider rotates its signing key, the client refetches the JWKS and signs in.',
  rationale:
    'Providers replace their signing keys from time to time and publish the new key in the JWKS before using ' +
    'it. A client that caches the JWKS forever starts rejecting every login after a rotation, and the usual ' +
    '"fix" under pressure is to switch signature checks off.',
  remediation:
    'Cache the JWKS, but when an ID token names a `kid` you do not know, fetch the JWKS again (rate-limited) ' +
    'and retry. JOSE libraries do this for you with a remote key set (e.g. `createRemoteJWKSet` in jose).',
  async run(ctx) {
    // Its own control, right before the rotation: that login leaves the JWKS cached in the client, and
    // the check is whether the client goes back for it.
    await requireIdTokenControl(ctx, false, ownControlLogin);
    const mark = Math.max(0, ...ctx.fullJournal.entries().map((e) => e.seq));
    ctx.arm({ name: 'id-token.rotated-key' });
    ctx.observe('Armed id-token.rotated-key: the next ID token is signed with a newly published key.');
    const session = await ctx.session('after-rotation');
    await completeLogin(ctx, session);
    const signedIn = await session.isSignedIn();
    const refetches = ctx.fullJournal.entries({ endpoint: 'jwks' }).filter((e) => e.seq > mark);
    ctx.observe(
      `After the rotation: ${signedIn ? 'signed in' : 'NOT signed in'}; the JWKS was fetched ${refetches.length} time(s).`,
    );
    if (!signedIn && refetches.length > 0) {
      return fail('The client fetched the new JWKS but still refused an ID token signed with the provider’s new key.');
    }
    if (!signedIn) {
      // Clients may rate-limit JWKS refetches (oauth4webapi: at most once a minute), so a refusal without a
      // refetch within one run cannot be told apart from a cache that is never refreshed.
      return warn(
        'The client refused an ID token signed with a newly published key without fetching the JWKS again ' +
          '(a JWKS cache that is never refreshed, or a refetch rate limit).',
      );
    }
    if (refetches.length === 0) {
      stopNotApplicable(
        'The client signed in without fetching the JWKS again, so it cannot have verified the new key: see id-token.signature.',
      );
    }
    return pass('The client fetched the new JWKS and accepted the ID token signed with the rotated key.');
  },
});
