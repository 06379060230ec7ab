import type { DiscoveryFault, EndpointName, IdpEndpoints, PermissiveMode } from '../types.js';
import type { DiscoveryDocument } from './discovery-schema.js';
import type { ProfileSettings } from '../profiles/profile-settings.js';
import { DPOP_SIGNING_ALGS } from '../dpop/dpop-proof.js';
import { ASSERTION_SIGNING_ALGS } from '../http/client-assertion.js';

/** Grant types, response types and client authentication methods this mock implements. */
const IMPLEMENTED_GRANTS = ['authorization_code', 'refresh_token'];
const IMPLEMENTED_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'];
const IMPLEMENTED_PKCE_METHODS = ['S256', 'plain'];
/** The fixture keys are RSA, so every RSA signature algorithm jose offers can be served. */
export const IMPLEMENTED_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/**
 * Metadata members naming features this mock does not implement. They are removed so that nothing is
 * advertised that is not implemented (dynamic registration, PAR, device flow, CIBA, session iframes,
 * signed/encrypted responses, request objects, mTLS). JWT client authentication (`private_key_jwt`) and DPoP
 * are implemented; their signing algorithms are narrowed below like every other list.
 */
const UNIMPLEMENTED_MEMBERS = [
  'registration_endpoint',
  'device_authorization_endpoint',
  'backchannel_authentication_endpoint',
  'backchannel_token_delivery_modes_supported',
  'frontchannel_logout_supported',
  'frontchannel_logout_session_supported',
  'check_session_iframe',
  'mtls_endpoint_aliases',
  'tls_client_certificate_bound_access_tokens',
  'request_parameter_supported',
  'request_uri_parameter_supported',
  'require_request_uri_registration',
  'request_object_signing_alg_values_supported',
  'request_object_encryption_alg_values_supported',
  'request_object_encryption_enc_values_supported',
  'userinfo_signing_alg_values_supported',
  'userinfo_encryption_alg_values_supported',
  'userinfo_encryption_enc_values_supported',
  'id_token_encryption_alg_values_supported',
  'id_token_encryption_enc_values_supported',
  'authorization_signing_alg_values_supported',
  'authorization_encryption_alg_values_supported',
  'authorization_encryption_enc_values_supported',
  'revocation_endpoint_auth_signing_alg_values_supported',
  'introspection_endpoint_auth_signing_alg_values_supported',
  'introspection_signing_alg_values_supported',
  'introspection_encryption_alg_values_supported',
  'introspection_encryption_enc_values_supported',
  'claims_parameter_supported',
  'acr_values_supported',
  'display_values_supported',
  'claim_types_supported',
  'ui_locales_supported',
  'claims_locales_supported',
];

/** Everything the provider derives from its served metadata. */
export interface BuiltMetadata {
  /** The issuer the metadata names, and every token carries (differs from `urlIssuer` only under `discovery.issuer-mismatch`). */
  issuer: string;
  /** The issuer identifier the document is served under: its URL is `<urlIssuer>/.well-known/...`. */
  urlIssuer: string;
  metadata: Record<string, unknown>;
  endpoints: IdpEndpoints;
  /** Request path -> endpoint (hosts are ignored so one handler serves every real host under msw). */
  routes: Map<string, EndpointName>;
  apiBaseUrl: string;
  /** PKCE methods advertised; empty = the provider does not know PKCE (a challenge is ignored). */
  pkceMethods: string[];
  /** Grant types served. */
  grantTypes: string[];
  responseTypes: string[];
  tokenAuthMethods: string[];
  /** `private_key_jwt` assertion algorithms accepted (advertised); empty when the method is not offered. */
  assertionSigningAlgs: string[];
  /** Whether ID tokens are issued (the document is OpenID Connect). */
  oidc: boolean;
  idTokenAlg: string;
  /** RFC 9207 `iss` in authorization responses. */
  issParameter: boolean;
  /** RFC 9126: every client must push its authorization requests (`require_pushed_authorization_requests`). */
  requirePar: boolean;
  /** RFC 9449: the proof algorithms advertised (`dpop_signing_alg_values_supported`); empty = no DPoP. */
  dpopAlgs: string[];
  /** Every token request must carry a DPoP proof (the profile's policy; no metadata member says so). */
  requireDpop: boolean;
  /**
   * OIDC Back-Channel Logout 1.0: logout tokens are sent to clients that registered a
   * `backchannel_logout_uri`, and ID tokens carry `sid` (advertised for every OpenID Connect profile
   * with an `end_session_endpoint`).
   */
  backchannelLogout: boolean;
}

function intersect(advertised: readonly string[] | undefined, implemented: readonly string[]): string[] {
  return (advertised ?? []).filter((v) => implemented.includes(v));
}

/**
 * Builds the metadata as served: endpoints rebased onto `baseUrl` (path kept) unless
 * `keepOriginalUrls`, unimplemented members removed, lists narrowed to what is implemented, and
 * discovery faults and permissive modes that change metadata applied.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function buildMetadata(input: {
  document: DiscoveryDocument;
  settings: ProfileSettings;
  baseUrl?: string;
  keepOriginalUrls?: boolean;
  discoveryFaults: readonly DiscoveryFault[];
  permissive: ReadonlySet<PermissiveMode>;
  features?: { dpop?: boolean; par?: boolean };
}): BuiltMetadata {
  const { settings, permissive } = input;
  const document: DiscoveryDocument = { ...input.document };
  // Offered on request (a client audit of a DPoP or PAR client): the profile's own values win.
  if (input.features?.dpop && document.dpop_signing_alg_values_supported === undefined)
    document.dpop_signing_alg_values_supported = ['ES256', 'PS256', 'EdDSA'];
  if (input.features?.par && document.pushed_authorization_request_endpoint === undefined)
    document.pushed_authorization_request_endpoint = new URL('par', document.authorization_endpoint).href;
  const base = input.baseUrl && !input.keepOriginalUrls ? new URL(input.baseUrl).origin : undefined;
  const rebase = (value: string): string => (base ? base + value.slice(new URL(value).origin.length) : value);

  const metadata: Record<string, unknown> = { ...document };
  for (const member of UNIMPLEMENTED_MEMBERS) delete metadata[member];

  const urlIssuer = rebase(document.issuer);
  // discovery.issuer-mismatch: an impostor document names another issuer than the URL it is served
  // under (OIDC Discovery 4.3, RFC 8414 3.3), and signs with it, consistent with itself.
  const issuer = input.discoveryFaults.includes('discovery.issuer-mismatch')
    ? `${urlIssuer.replace(/\/$/, '')}/impostor`
    : urlIssuer;
  metadata.issuer = issuer;
  const endpointMembers = {
    authorization: 'authorization_endpoint',
    token: 'token_endpoint',
    jwks: 'jwks_uri',
    userinfo: 'userinfo_endpoint',
    revocation: 'revocation_endpoint',
    introspection: 'introspection_endpoint',
    endSession: 'end_session_endpoint',
    par: 'pushed_authorization_request_endpoint',
  } as const;
  const endpointNames: Record<keyof typeof endpointMembers, EndpointName> = {
    authorization: 'authorization',
    token: 'token',
    jwks: 'jwks',
    userinfo: 'userinfo',
    revocation: 'revocation',
    introspection: 'introspection',
    endSession: 'end-session',
    par: 'par',
  };

  const oidc =
    (document.scopes_supported ?? []).includes('openid') ||
    document.id_token_signing_alg_values_supported !== undefined;

  const discoveryUrl = rebase(new URL(settings.discoveryPath, document.issuer).href);
  const endpoints: IdpEndpoints = {
    discovery: discoveryUrl,
    authorization: rebase(document.authorization_endpoint),
    token: rebase(document.token_endpoint),
  };
  const routes = new Map<string, EndpointName>([[new URL(discoveryUrl).pathname, 'discovery']]);
  for (const [key, member] of Object.entries(endpointMembers) as Array<[keyof typeof endpointMembers, string]>) {
    const value = metadata[member];
    if (typeof value !== 'string') continue;
    const url = rebase(value);
    metadata[member] = url;
    endpoints[key] = url;
    const path = new URL(url).pathname;
    if (!routes.has(path)) routes.set(path, endpointNames[key]);
  }
  // The login form posts back to the authorization endpoint's path; no separate URL is advertised.

  const grantTypes = intersect(document.grant_types_supported ?? IMPLEMENTED_GRANTS, IMPLEMENTED_GRANTS);
  if (permissive.has('ropc-enabled')) grantTypes.push('password');
  metadata.grant_types_supported = grantTypes;

  const responseTypes = intersect(document.response_types_supported ?? ['code'], ['code']);
  if (responseTypes.length === 0) responseTypes.push('code');
  if (permissive.has('implicit-enabled')) responseTypes.push('token');
  metadata.response_types_supported = responseTypes;
  if (document.response_modes_supported !== undefined || permissive.has('implicit-enabled')) {
    const modes = intersect(document.response_modes_supported ?? ['query'], ['query']);
    if (permissive.has('implicit-enabled')) modes.push('fragment');
    metadata.response_modes_supported = modes.length > 0 ? modes : ['query'];
  }

  // RFC 8414 2: absent token_endpoint_auth_methods_supported means client_secret_basic.
  const tokenAuthMethods = intersect(
    document.token_endpoint_auth_methods_supported ?? ['client_secret_basic'],
    IMPLEMENTED_AUTH_METHODS,
  );
  if (document.token_endpoint_auth_methods_supported !== undefined)
    metadata.token_endpoint_auth_methods_supported = tokenAuthMethods;
  // RFC 8414 2: the algorithms for private_key_jwt at the token endpoint; only asymmetric ones (OIDC Core 9).
  let assertionSigningAlgs: string[] = [];
  if (tokenAuthMethods.includes('private_key_jwt')) {
    assertionSigningAlgs = intersect(
      document.token_endpoint_auth_signing_alg_values_supported ?? ASSERTION_SIGNING_ALGS,
      ASSERTION_SIGNING_ALGS,
    );
    if (assertionSigningAlgs.length === 0) assertionSigningAlgs = ['RS256', 'PS256', 'ES256'];
    metadata.token_endpoint_auth_signing_alg_values_supported = assertionSigningAlgs;
  } else {
    delete metadata.token_endpoint_auth_signing_alg_values_supported;
  }
  for (const member of [
    'revocation_endpoint_auth_methods_supported',
    'introspection_endpoint_auth_methods_supported',
  ]) {
    const value = metadata[member];
    if (Array.isArray(value))
      metadata[member] = intersect(
        value.filter((v): v is string => typeof v === 'string'),
        IMPLEMENTED_AUTH_METHODS,
      );
  }

  let pkceMethods = intersect(document.code_challenge_methods_supported, IMPLEMENTED_PKCE_METHODS);
  if (input.discoveryFaults.includes('discovery.pkce-plain-only')) pkceMethods = ['plain'];
  if (document.code_challenge_methods_supported !== undefined || pkceMethods.length > 0)
    metadata.code_challenge_methods_supported = pkceMethods;

  let idTokenAlg = 'RS256';
  if (oidc) {
    const algs = intersect(document.id_token_signing_alg_values_supported ?? ['RS256'], IMPLEMENTED_SIGNING_ALGS);
    idTokenAlg = algs[0] ?? 'RS256';
    metadata.id_token_signing_alg_values_supported = algs.length > 0 ? algs : ['RS256'];
  }

  const issParameter =
    document.authorization_response_iss_parameter_supported === true ||
    input.discoveryFaults.includes('discovery.iss-parameter') ||
    permissive.has('iss-param-wrong');
  if (issParameter) metadata.authorization_response_iss_parameter_supported = true;

  // RFC 9126 5: requiring PAR only means something when the endpoint is advertised.
  const requirePar = endpoints.par !== undefined && document.require_pushed_authorization_requests === true;
  if (endpoints.par === undefined) delete metadata.require_pushed_authorization_requests;
  const dpopAlgs = intersect(document.dpop_signing_alg_values_supported, DPOP_SIGNING_ALGS);
  if (dpopAlgs.length > 0) metadata.dpop_signing_alg_values_supported = dpopAlgs;
  else delete metadata.dpop_signing_alg_values_supported;
  const requireDpop = dpopAlgs.length > 0 && settings.requireDpop === true;
  const backchannelLogout = oidc && endpoints.endSession !== undefined;
  if (backchannelLogout) {
    metadata.backchannel_logout_supported = true;
    metadata.backchannel_logout_session_supported = true;
  }

  const apiBaseUrl = rebase(settings.apiBaseUrl);
  return {
    issuer,
    urlIssuer,
    backchannelLogout,
    metadata,
    endpoints,
    routes,
    apiBaseUrl,
    pkceMethods,
    grantTypes,
    responseTypes,
    tokenAuthMethods,
    assertionSigningAlgs,
    oidc,
    idTokenAlg,
    issParameter,
    requirePar,
    dpopAlgs,
    requireDpop,
  };
}
