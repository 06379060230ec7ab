/**
 * Contract between the provider core and the mock lexoffice API. The core owns tokens (it issues and
 * revokes them); the API only looks them up, so the two never disagree about what is valid.
 */
import type { BearerInfo, Clock, DpopProofInfo } from '../types.js';

/** An access token as the provider knows it, in the shape the API needs to authorise a call. */
export interface ApiAccessToken {
  clientId: string;
  sub: string;
  scopes: string[];
  /** Expiry, ms since the epoch (compared with `ApiContext.clock`). */
  expiresAt: number;
  revoked: boolean;
  /** Login tag the token inherited from its authorization request, if any. */
  tag?: string;
  /** The DPoP key the token is bound to (`cnf.jkt`, RFC 9449 6), when it is. */
  jkt?: string;
}

/** The sender-constraint check of a resource request (RFC 9449 7), as the provider answers it. */
export type ApiDpopCheck = (presented: {
  req: Request;
  url: URL;
  scheme: 'Bearer' | 'DPoP';
  token: string;
  jkt?: string;
}) => Promise<
  | { ok: true; dpop?: DpopProofInfo }
  | {
      ok: false;
      description: string;
      challenge: string;
      /** Further headers of the 401, e.g. `DPoP-Nonce` with `use_dpop_nonce` (RFC 9449 9). */
      headers?: Record<string, string>;
      dpop?: DpopProofInfo;
    }
>;

/** Everything the API needs from the provider that mounts it. */
export interface ApiContext {
  clock: Clock;
  /** Seed for the faker data set. Same seed, same contacts, invoices and profile. */
  seed: number;
  /** lexoffice's 2 requests/second limit per token (429). */
  rateLimit: boolean;
  /** Permissive mode `api-bearer-query-accepted`: `?access_token=` is honoured (RFC 6750 2.3 allows it; lexoffice does not). */
  acceptQueryToken: boolean;
  /** The scope each resource needs, in the profile's vocabulary (e.g. `profile`, `contact.read`, `invoice.read`). */
  requiredScopes: { profile: string; contacts: string; invoices: string };
  lookupAccessToken(token: string): ApiAccessToken | undefined;
  /** RFC 9449 7: DPoP-bound tokens need the DPoP scheme and a proof of their key. Absent: Bearer only. */
  checkDpop?: ApiDpopCheck;
  /** RFC 7009 revocation (partner profile's /v1/revoke) delegated to the provider. */
  revoke(req: Request): Promise<Response>;
}

/** The API's answer plus what the journal should record about the bearer token. */
export interface ApiResult {
  response: Response;
  bearer?: BearerInfo;
  /** Login tag of the token used, so the journal entry is scoped to that login. */
  tag?: string;
  /** The DPoP proof of the call, when one was checked. */
  dpop?: DpopProofInfo;
}
