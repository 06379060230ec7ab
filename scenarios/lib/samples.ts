/**
 * Collects values a client generates per login (state, nonce, PKCE challenge and verifier) over several
 * logins, and judges them. Two of the logins share one session: a value generated once per session or
 * once per process instead of once per login repeats there.
 */
import type { AuthorizationRequest } from '../../harness/types.js';
import type { ClientCheckContext, Outcome } from '../types.js';
import { estimateEntropy } from './entropy.js';
import { beginLogin, completeLogin, type CompletedLogin } from './flow.js';
import { fail, pass } from './outcome.js';

/** Starts `count` logins (stopping at the provider's door): two in the first session, then one per new session. */
export async function sampleAuthorizationRequests(
  ctx: ClientCheckContext,
  count: number,
): Promise<AuthorizationRequest[]> {
  const out: AuthorizationRequest[] = [];
  const first = await ctx.session('sample-1');
  out.push(await beginLogin(ctx, first));
  out.push(await beginLogin(ctx, first));
  for (let i = 2; i < count; i++) out.push(await beginLogin(ctx, await ctx.session(`sample-${i}`)));
  return out;
}

/** Runs `count` full logins: two in the first session, then one per new session. */
export async function sampleLogins(ctx: ClientCheckContext, count: number): Promise<CompletedLogin[]> {
  const out: CompletedLogin[] = [];
  const first = await ctx.session('sample-1');
  out.push(await completeLogin(ctx, first));
  out.push(await completeLogin(ctx, first));
  for (let i = 2; i < count; i++) out.push(await completeLogin(ctx, await ctx.session(`sample-${i}`)));
  return out;
}

/**
 * Judges values that must be unguessable: unique, and at least `minBits` estimated bits of entropy
 * (RFC 6749 §10.10 asks for a guessing probability of at most 2^-128).
 */
export function judgeEntropy(ctx: ClientCheckContext, name: string, values: string[], minBits = 128): Outcome {
  const e = estimateEntropy(values);
  ctx.observe(
    `${values.length} ${name} values: ${e.unique ? 'all different' : 'REPEATED'}, ${e.alphabet.name} alphabet, about ${e.bits} bits estimated for the weakest.`,
    { samples: values, estimate: e },
  );
  for (const f of e.findings) ctx.observe(f);
  if (!e.unique) return fail(`The client produced the same ${name} for different logins.`);
  if (e.bits < minBits) {
    return fail(
      `The ${name} is guessable: about ${e.bits} bits estimated, at least ${minBits} required${e.findings.length ? ` (${e.findings[0]})` : ''}.`,
    );
  }
  return pass(`The ${name} is unique per login with about ${e.bits} bits estimated (at least ${minBits} required).`);
}
