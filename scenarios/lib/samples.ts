/**
 * Collects values a client generates per login (state, nonce, PKCE challenge and verifier) over several
 * logins, and judges them. Two of the logins share one session: a value generated once per session or
 * once per process instead of once per login repeats there.
 */
import type { AuthorizationRequest, Session } from '../../harness/types.js';
import type { ClientCheckContext, Outcome, Requirement } from '../types.js';
import { estimateEntropy } from './entropy.js';
import { beginLogin, completeLogin, type CompletedLogin } from './flow.js';
import { fail, pass, warn } from './outcome.js';

/**
 * How many login starts the run samples once for every check that judges values of the authorization
 * request (state, nonce, code challenge): `state.entropy` takes them all, enough for its position and
 * repetition tests and cheap for the HTTP agent; the others take the first four.
 */
export const SHARED_REQUEST_SAMPLES = 6;

/**
 * Starts `count` logins (stopping at the provider's door): two in the first session, then one per new
 * session. The sessions run side by side; the values come back in session order. Up to
 * {@link SHARED_REQUEST_SAMPLES}, they are the first `count` of the run's shared sample
 * (harness/runner/shared-login.ts), which has the same order: two in one session, then one per session.
 */
export async function sampleAuthorizationRequests(
  ctx: ClientCheckContext,
  count: number,
): Promise<AuthorizationRequest[]> {
  if (count > SHARED_REQUEST_SAMPLES) return collectSamples(ctx, count, (session) => beginLogin(ctx, session));
  const all = await ctx.shared('request-samples', (shared) =>
    collectSamples(shared, SHARED_REQUEST_SAMPLES, (session) => beginLogin(shared, session)),
  );
  return all.slice(0, count);
}

/** Runs `count` full logins: two in the first session, then one per new session, side by side. */
export async function sampleLogins(ctx: ClientCheckContext, count: number): Promise<CompletedLogin[]> {
  return collectSamples(ctx, count, (session) => completeLogin(ctx, session));
}

/**
 * Runs `one` twice in the first session (one after the other: a value generated once per session then
 * repeats) and once in each of `count - 2` new sessions, all sessions concurrently. Results are in
 * session order; when logins fail, the first failure in that order ends the check, after all settled.
 */
async function collectSamples<T>(
  ctx: ClientCheckContext,
  count: number,
  one: (session: Session) => Promise<T>,
): Promise<T[]> {
  const firstSession = (async (): Promise<T[]> => {
    const first = await ctx.session('sample-1');
    const a = await one(first);
    return [a, await one(first)];
  })();
  const others = Array.from({ length: Math.max(0, count - 2) }, async (_, i) => [
    await one(await ctx.session(`sample-${i + 2}`)),
  ]);
  const settled = await Promise.allSettled([firstSession, ...others]);
  const out: T[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    out.push(...s.value);
  }
  return out;
}

/**
 * How much estimated entropy a client-generated value needs, as its own specification words it. Below
 * `failBelow` the value is clearly guessable and the check fails; below `warnBelow` it falls short of a
 * recommendation only (a SHOULD), which is a warn that cites `warnBasis`.
 */
export interface EntropyBound {
  /** Estimates below this many bits fail: the value is clearly guessable. */
  failBelow: number;
  /** Why `failBelow`, in a few words a summary can quote (e.g. "OWASP: session identifiers need 64 bits"). */
  failBasis: string;
  /** Estimates below this many bits (and at least `failBelow`) warn. */
  warnBelow?: number;
  /** The recommendation `warnBelow` comes from, quoted in the warn. */
  warnBasis?: string;
  /**
   * The requirement `warnBelow` comes from (e.g. RFC 7636 7.1's SHOULD): a value below it is then a
   * finding against that requirement, which the run's policy judges (a warning under `rfc9700`).
   */
  warnRequirement?: Requirement;
}

/**
 * The floor below which a value that binds a login to the browser (state, nonce, PKCE verifier) is
 * clearly guessable. None of RFC 6749 §10.12 ("The binding value used for CSRF protection MUST contain a
 * non-guessable value"), OIDC Core §3.1.2.1 ("Sufficient entropy MUST be present in the nonce values
 * used to prevent attackers from guessing values") and RFC 7636 §4.1 ("high-entropy cryptographic
 * random STRING") states a number. The number for a value of the same kind, a random identifier that
 * binds a browser session, is OWASP's: "Session identifiers must have at least 64 bits of entropy to
 * prevent brute-force session guessing attacks" (OWASP, Insufficient Session-ID Length). The estimates
 * of clock-, counter- and id-derived values fall far below it (a millisecond clock: under 16 bits);
 * random values of the usual sizes are far above (a UUIDv4: about 124 for its 122 random bits).
 */
export const GUESSABLE_BELOW_BITS = 64;

/**
 * Judges values that must be unguessable: unique across logins, and at least `bound.failBelow` estimated
 * bits (below `bound.warnBelow`: warn with the recommendation it falls short of).
 */
export function judgeEntropy(ctx: ClientCheckContext, name: string, values: string[], bound: EntropyBound): Outcome {
  const e = estimateEntropy(values);
  ctx.observe(
    `${values.length} ${name} values: ${e.unique ? 'all different' : 'REPEATED'}, ${e.alphabet.name} alphabet, about ${e.bits} bits estimated for the weakest.`,
    { samples: values, estimate: e },
  );
  for (const f of e.findings) ctx.observe(f);
  if (!e.unique) return fail(`The client produced the same ${name} for different logins.`);
  if (e.bits < bound.failBelow) {
    return fail(
      `The ${name} is guessable: about ${e.bits} bits estimated, below ${bound.failBelow} (${bound.failBasis})${e.findings.length ? `; ${e.findings[0]}` : '.'}`,
    );
  }
  if (bound.warnBelow !== undefined && e.bits < bound.warnBelow) {
    const summary = `The ${name} is unique per login with about ${e.bits} bits estimated: not guessable, but below the ${bound.warnBelow} bits ${bound.warnBasis ?? 'recommended'}.`;
    return bound.warnRequirement ? { ...fail(summary), requirement: bound.warnRequirement } : warn(summary);
  }
  // The bound, not the estimate: the estimate of a client's random values moves a little from run to run
  // (with no `-` or `_` among them, base64url values read as alphanumeric: 256 bits instead of 258), and
  // a summary is part of what a seed reproduces. The observation above gives the estimate.
  return pass(
    bound.warnBelow !== undefined
      ? `The ${name} is unique per login with at least the recommended ${bound.warnBelow} bits by estimate (clearly guessable below ${bound.failBelow}).`
      : `The ${name} is unique per login and not guessable: at least ${bound.failBelow} bits by estimate.`,
  );
}
