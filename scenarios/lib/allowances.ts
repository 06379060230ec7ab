/**
 * Conditions under which the cited texts allow what a check finds, shared by the checks whose
 * requirements they qualify. Each quotes its sentence; docs/verdicts.md lists where they apply.
 */
import type { Allowance } from '../types.js';
import type { RefKey } from '../refs.js';

/** RFC 9700 2.1: PKCE that the provider enforces protects the callback against CSRF. */
export const PKCE_BINDS_LOGIN: Allowance<RefKey> = {
  name: 'PKCE binds the login to the browser',
  text:
    'Clients that have ensured that the authorization server supports Proof Key for Code Exchange (PKCE) ' +
    '[RFC7636] MAY rely on the CSRF protection provided by PKCE.',
  ref: 'RFC9700-2.1',
  // The mock provider enforces PKCE whenever a challenge was sent; these establish that the client
  // sends one with S256, fresh per login, and redeems the code with its verifier.
  controls: ['pkce.present', 'pkce.s256', 'pkce.verifier-sent', 'pkce.verifier-fresh'],
};

/** RFC 9700 2.1: in OpenID Connect flows the nonce protects the callback against CSRF. */
export const NONCE_BINDS_LOGIN: Allowance<RefKey> = {
  name: 'The OpenID Connect nonce binds the login to the browser',
  text: 'In OpenID Connect flows, the nonce parameter provides CSRF protection.',
  ref: 'RFC9700-2.1',
  controls: ['nonce.present', 'id-token.nonce'],
};

/** What lets a client rely on something other than `state` against CSRF. */
export const CSRF_ALLOWANCES: readonly Allowance<RefKey>[] = [PKCE_BINDS_LOGIN, NONCE_BINDS_LOGIN];

/** OIDC Core 3.1.3.7 step 6: an ID token straight from the token endpoint may be trusted by TLS. */
export const TOKEN_ENDPOINT_ID_TOKEN: Allowance<RefKey> = {
  name: 'The ID token came directly from the token endpoint',
  text:
    'If the ID Token is received via direct communication between the Client and the Token Endpoint (which it ' +
    'is in this flow), the TLS server validation MAY be used to validate the issuer in place of checking the ' +
    'token signature.',
  ref: 'OIDC-3.1.3.7-6',
  // The mock stands in for an https provider on loopback; `flow.code-only` establishes that the client
  // receives ID tokens only from the token endpoint (no hybrid or implicit response types).
  controls: ['flow.code-only'],
};

/** RFC 9700 4.4.2: mix-up defence is required only of clients of several providers. */
export const ONE_PROVIDER: Allowance<RefKey> = {
  name: 'The client is configured for one provider',
  text: 'When an OAuth client can only interact with one authorization server, a mix-up defense is not required.',
  ref: 'RFC9700-4.4.2',
  facts: ['single-provider'],
};

/** RFC 9700 2.1.1: PKCE is required of public clients, recommended for confidential ones. */
export const CONFIDENTIAL_CLIENT_PKCE: Allowance<RefKey> = {
  name: 'The client is confidential',
  text:
    'For confidential clients, the use of PKCE [RFC7636] is RECOMMENDED, as it provides strong protection ' +
    'against misuse and injection of authorization codes.',
  ref: 'RFC9700-2.1.1',
  facts: ['confidential-client'],
};

/** The FAPI 2.0 Security Profile's requirements for clients using the authorization code grant. */
export const FAPI2_CLIENT_CODE_FLOW: RefKey = 'FAPI2-SP-5.3.2.2';
