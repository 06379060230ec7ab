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
  /** RFC 9449 9: the resource server demands a nonce it handed out in the proof. */
  nonceRequired?: boolean;
}

/** The outcome, with the `WWW-Authenticate` challenge to send on refusal (RFC 9449 7.1). */
export type ResourceDpopResult =
  | { ok: true; dpop?: DpopProofInfo }
  | {
      ok: false;
      error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';
      description: string;
      challenge: string;
      /** Further response headers: the `DPoP-Nonce` to use with `use_dpop_nonce` (RFC 9449 9). */
      headers?: Record<string, string>;
      dpop?: DpopProofInfo;
    };

/**
 * RFC 9449 7: a DPoP-bound access token is accepted only with the `DPoP` scheme and a valid proof of
 * its key that carries `ath` for it (7.1); presented as a Bearer token it is refused (7.2). A `DPoP`
 * scheme with an unbound token is refused too. Permissive `dpop-binding-not-checked` accepts a bound
 * token without a proof, with another key's proof, and as Bearer (a replayed proof is still refused).
 *
 * With `nonceRequired` (setting `resourceDpopNonce`), a proof of the right key without a nonce the
 * server handed out is answered as RFC 9449 9 shows: `401`, `WWW-Authenticate: DPoP
 * error="use_dpop_nonce"` and a fresh `DPoP-Nonce`. The nonces are the provider's (one origin, one
 * nonce store), which RFC 9449 9 allows: a resource server's nonces need not differ from the
 * authorization server's.
 */
export async function checkResourceDpop(
  ctx: ProviderContext,
  presented: ResourcePresentation,
): Promise<ResourceDpopResult> {
  const algs = ctx.built.dpopAlgs.join(' ');
  const refuse = (
    error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce',
    description: string,
    dpop?: DpopProofInfo,
  ): Extract<ResourceDpopResult, { ok: false }> => ({
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
    ...(presented.nonceRequired ? { nonceRequired: true } : {}),
  });
  // The lax mode loosens the binding only; a replayed proof is refused unless replay detection is off.
  if (lax && !result.info.replayed) return { ok: true, dpop: result.info };
  if (!result.ok && result.error === 'use_dpop_nonce') {
    // RFC 9449 9: the key must still be the token's; a nonce is asked only of the rightful holder.
    if (result.info.jkt !== undefined && result.info.jkt !== presented.jkt) {
      return refuse('invalid_token', 'the DPoP proof key is not the key the token is bound to', result.info);
    }
    return {
      ...refuse('use_dpop_nonce', 'Resource server requires nonce in DPoP proof', result.info),
      headers: { 'dpop-nonce': ctx.dpop.nonce() },
    };
  }
  if (!result.ok) return refuse('invalid_dpop_proof', result.description, result.info);
  if (result.jkt !== presented.jkt) {
    return refuse('invalid_token', 'the DPoP proof key is not the key the token is bound to', result.info);
  }
  return { ok: true, dpop: result.info };
}
