import type { ProviderContext } from '../provider-context.js';
import type { DpopProofInfo } from '../types.js';

/** What a resource request presented: the token, its scheme, the `DPoP` header. */
export interface ResourcePresentation {
  method: string;
  /** The request URL (`htu` is compared without query and fragment). */
  url: string;
  scheme: 'Bearer' | 'DPoP';
  token: string;
  /** The `DPoP` header value, or null. */
  proof: string | null;
  /** The key the token is bound to (`cnf.jkt`), when it is DPoP-bound. */
  jkt?: string;
}

/** The outcome, with the `WWW-Authenticate` challenge to send on refusal (RFC 9449 7.1). */
export type ResourceDpopResult =
  | { ok: true; dpop?: DpopProofInfo }
  | {
      ok: false;
      error: 'invalid_token' | 'invalid_dpop_proof';
      description: string;
      challenge: string;
      dpop?: DpopProofInfo;
    };

/**
 * RFC 9449 7: a DPoP-bound access token is accepted only with the `DPoP` scheme and a valid proof of
 * its key that carries `ath` for it (7.1); presented as a Bearer token it is refused (7.2). A `DPoP`
 * scheme with an unbound token is refused too. Permissive `dpop-binding-not-checked` accepts a bound
 * token without a proof, with another key's proof, and as Bearer (a replayed proof is still refused).
 */
export async function checkResourceDpop(
  ctx: ProviderContext,
  presented: ResourcePresentation,
): Promise<ResourceDpopResult> {
  const algs = ctx.built.dpopAlgs.join(' ');
  const refuse = (
    error: 'invalid_token' | 'invalid_dpop_proof',
    description: string,
    dpop?: DpopProofInfo,
  ): ResourceDpopResult => ({
    ok: false,
    error,
    description,
    challenge: `DPoP error="${error}", error_description="${description}", algs="${algs}"`,
    ...(dpop ? { dpop } : {}),
  });
  const lax = ctx.permissive.has('dpop-binding-not-checked');
  if (presented.scheme === 'Bearer') {
    if (presented.jkt === undefined || lax) return { ok: true };
    return refuse('invalid_token', 'a DPoP-bound access token must be sent with the DPoP scheme (RFC 9449 7.2)');
  }
  if (presented.jkt === undefined || ctx.built.dpopAlgs.length === 0) {
    return refuse('invalid_token', 'the access token is not DPoP-bound');
  }
  const result = await ctx.dpop.verify(presented.proof, {
    htm: presented.method,
    htu: presented.url,
    accessToken: presented.token,
  });
  // The lax mode loosens the binding only; a replayed proof is refused unless replay detection is off.
  if (lax && !result.info.replayed) return { ok: true, dpop: result.info };
  if (!result.ok) return refuse('invalid_dpop_proof', result.description, result.info);
  if (result.jkt !== presented.jkt) {
    return refuse('invalid_token', 'the DPoP proof key is not the key the token is bound to', result.info);
  }
  return { ok: true, dpop: result.info };
}
