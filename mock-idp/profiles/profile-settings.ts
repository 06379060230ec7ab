import lexofficeDiscovery from './lexoffice.json' with { type: 'json' };
import lexofficePartnerDiscovery from './lexoffice-partner.json' with { type: 'json' };
import fapi2Discovery from './fapi2.json' with { type: 'json' };
import type { BundledProfile } from '../types.js';

/** What a profile says beyond its discovery document: where things live and how parameters are spelled. */
export interface ProfileSettings {
  /** Path the discovery document is served at. */
  discoveryPath: string;
  /** Base URL of the mock lexoffice API before rebasing. */
  apiBaseUrl: string;
  /** Authorization request parameters that carry scopes, first match wins. */
  scopeParams: string[];
  /** Scopes the API requires per resource (the API checks them, answering 403 otherwise). */
  apiScopes: { profile: string; contacts: string; invoices: string };
  /**
   * Every token request must carry a DPoP proof, so every access token is sender-constrained (FAPI 2.0
   * Security Profile). No metadata member can say this; it is the profile's policy.
   */
  requireDpop?: boolean;
  /**
   * The mock lexoffice API demands DPoP server nonces (RFC 9449 9), unless the caller's
   * `settings.resourceDpopNonce` says otherwise. No metadata member can say this either.
   */
  resourceDpopNonce?: boolean;
}

/** A bundled profile: a plain discovery document plus its settings. */
export interface BundledProfileDefinition {
  discovery: unknown;
  settings: ProfileSettings;
}

/**
 * The bundled profiles.
 *
 * - `lexoffice`: lexoffice.login as the paper describes it: OpenID Connect at
 *   `https://login.lexoffice.io`, PKCE S256 only, RS256, the paper's token response shape.
 * - `lexoffice-partner`: the partner flow public integrations use (RFC 8414 metadata at
 *   `https://app.lexoffice.de`): `/api/oauth2/authorize` and `/api/oauth2/token`, client_secret_basic
 *   only, scopes as a comma-separated `scopes` parameter (`scope` accepted too), no OpenID Connect, and
 *   no PKCE: the metadata has no `code_challenge_methods_supported`, so a `code_challenge` sent to it is
 *   ignored and never verified, exactly like a provider that does not know RFC 7636. Revocation lives on
 *   the API host (`https://api.lexoffice.io/v1/revoke`).
 * - `fapi2`: the `lexoffice` OpenID provider as the FAPI 2.0 Security Profile has it: pushed
 *   authorization requests required (RFC 9126), DPoP required for every token request so every access
 *   token is sender-constrained (RFC 9449), the API demanding DPoP server nonces (RFC 9449 9), RFC
 *   9207 `iss`, PKCE S256 only, and no public clients.
 *   Client authentication is `client_secret_basic` / `client_secret_post` until `private_key_jwt` is
 *   implemented: add it to `token_endpoint_auth_methods_supported` in `fapi2.json` then.
 */
export const BUNDLED_PROFILES: Record<BundledProfile, BundledProfileDefinition> = {
  lexoffice: {
    discovery: lexofficeDiscovery,
    settings: {
      discoveryPath: '/.well-known/openid-configuration',
      apiBaseUrl: 'https://api.lexoffice.io',
      scopeParams: ['scope'],
      apiScopes: { profile: 'profile', contacts: 'contact.read', invoices: 'invoice.read' },
    },
  },
  fapi2: {
    discovery: fapi2Discovery,
    settings: {
      discoveryPath: '/.well-known/openid-configuration',
      apiBaseUrl: 'https://api.lexoffice.io',
      scopeParams: ['scope'],
      apiScopes: { profile: 'profile', contacts: 'contact.read', invoices: 'invoice.read' },
      requireDpop: true,
      resourceDpopNonce: true,
    },
  },
  'lexoffice-partner': {
    discovery: lexofficePartnerDiscovery,
    settings: {
      discoveryPath: '/.well-known/oauth-authorization-server',
      apiBaseUrl: 'https://api.lexoffice.io',
      scopeParams: ['scopes', 'scope'],
      apiScopes: { profile: 'profile.read', contacts: 'contacts.read', invoices: 'invoices.read' },
    },
  },
};

/** True when `name` is one of the bundled profiles. */
export function isBundledProfile(name: string): name is BundledProfile {
  return Object.hasOwn(BUNDLED_PROFILES, name);
}
