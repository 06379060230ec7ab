/**
 * Conditions under which the cited texts allow what a check finds, shared by the checks whose
 * requirements they qualify. Each quotes its sentence; docs/verdicts.md lists where they apply.
 */
import type { Allowance, Requirement } from '../types.js';
import type { RefKey } from '../refs.js';

/** RFC 9700 2.1: PKCE that the provider enforces protects the callback against CSRF. */
export const PKCE_BINDS_LOGIN: Allowance<RefKey> = {
  name: 'PKCE binds the login to the browser',
  text:
    'Clients that have ensured that the authorization server supports Proof Key for Code Exchange (PKCE) ' +
    '[RFC7636] MAY rely on the CSRF protection provided by PKCE.',
  ref: 'RFC9700-2.1',
  // The mock provider enforces PKCE whenever a challenge was sent; these establish that the client
  // sends one with S256, fresh per login, and redeems the code with its verifier. RFC 9700 2.1.1 adds
  // that the challenge "MUST be transaction-specific and securely bound to the client and the user
  // agent": `state.session-binding` observes exactly that (another session's code does not sign in).
  controls: ['pkce.present', 'pkce.s256', 'pkce.verifier-sent', 'pkce.verifier-fresh', 'state.session-binding'],
};

/** RFC 9700 2.1: in OpenID Connect flows the nonce protects the callback against CSRF. */
export const NONCE_BINDS_LOGIN: Allowance<RefKey> = {
  name: 'The OpenID Connect nonce binds the login to the browser',
  text: 'In OpenID Connect flows, the nonce parameter provides CSRF protection.',
  ref: 'RFC9700-2.1',
  controls: ['nonce.present', 'id-token.nonce', 'state.session-binding'],
};

/**
 * What lets a client rely on something other than `state` against CSRF. Not for `state.session-binding`
 * itself: that check observes the CSRF defence directly, whatever carries it.
 */
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

/**
 * RFC 9700 2.1.1: against code injection, public clients MUST use PKCE; for confidential clients PKCE
 * is RECOMMENDED, and confidential OpenID Connect clients MAY use the nonce instead. A confidential
 * client without PKCE is therefore allowed only when its nonce is observed working.
 */
export const CONFIDENTIAL_CLIENT_NONCE: Allowance<RefKey> = {
  name: 'The client is confidential and uses the OpenID Connect nonce',
  text:
    'For confidential clients, the use of PKCE [RFC7636] is RECOMMENDED [...]. With additional precautions, ' +
    'described in Section 4.5.3.2, confidential OpenID Connect [OpenID.Core] clients MAY use the nonce parameter ' +
    'and the respective Claim in the ID Token instead.',
  ref: 'RFC9700-2.1.1',
  facts: ['confidential-client'],
  controls: ['nonce.present', 'id-token.nonce'],
};

/** RFC 9700 2.1.1, the rule a client without PKCE breaks unless {@link CONFIDENTIAL_CLIENT_NONCE} holds. */
export const CODE_INJECTION_DEFENCE: Requirement = {
  text:
    'Clients MUST prevent authorization code injection attacks and misuse of authorization codes using one of ' +
    'the following options: Public clients MUST use PKCE [RFC7636] to this end [...].',
  level: 'MUST',
  ref: 'RFC9700-2.1.1',
  allowances: [CONFIDENTIAL_CLIENT_NONCE],
};

/** FAPI 2.0 Security Profile 5.3.3.2: PKCE with S256 is required of every client, confidential or not. */
export const FAPI2_PKCE: Omit<Requirement, 'fapi2'> = {
  text: 'shall use the authorization code grant with PKCE and the S256 code challenge method',
  level: 'MUST',
  ref: 'FAPI2-SP-5.3.3.2',
};
