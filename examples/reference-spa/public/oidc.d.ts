/** Types of oidc.js (plain browser JavaScript, shared with the Node tests). */

/** What the page is configured with (injected by server.ts). */
export interface SpaConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  apiBaseUrl: string;
  /** The registered post-logout redirect URI (OIDC RP-Initiated Logout); absent: sign-out stays local. */
  postLogoutRedirectUri?: string;
}

/** The provider metadata fields this client reads. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

/** The login in flight (kept in sessionStorage only until the callback). */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce?: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresIn?: number;
}

export interface Jwks {
  key(kid: string | undefined): Promise<CryptoKey>;
}

export declare class LoginError extends Error {
  constructor(message: string);
}

export declare function base64UrlEncode(bytes: Uint8Array): string;
export declare function base64UrlDecode(text: string): Uint8Array;
export declare function randomToken(): string;
export declare function s256(verifier: string): Promise<string>;
export declare function discover(issuer: string): Promise<ProviderMetadata>;
export declare function supportsS256(meta: ProviderMetadata): boolean;
export declare function prepareLogin(config: SpaConfig): Promise<{ pending: PendingLogin; challenge: string }>;
export declare function authorizationUrl(
  meta: ProviderMetadata,
  config: SpaConfig,
  prepared: { pending: PendingLogin; challenge: string },
): string;
export declare function beginLogin(
  meta: ProviderMetadata,
  config: SpaConfig,
): Promise<{ url: string; pending: PendingLogin }>;
export declare function validateCallback(
  params: URLSearchParams,
  pending: PendingLogin | null,
  meta: ProviderMetadata,
): string;
export declare function tokenRequest(
  meta: ProviderMetadata,
  config: SpaConfig,
  params: Record<string, string>,
): Promise<TokenSet>;
export declare function createJwks(jwksUri: string): Jwks;
export declare function verifyIdToken(
  idToken: string,
  opts: { issuer: string; clientId: string; nonce?: string; jwks: Jwks; now?: number },
): Promise<Record<string, unknown> & { sub: string }>;
export declare function fetchUserInfo(
  meta: ProviderMetadata,
  accessToken: string,
  expectedSub?: string,
): Promise<Record<string, unknown> & { sub: string }>;
export declare function revokeToken(
  meta: ProviderMetadata,
  config: SpaConfig,
  token: string,
  hint: string,
): Promise<void>;
export declare function endSessionUrl(
  meta: ProviderMetadata,
  config: SpaConfig,
  opts: { idToken?: string; state: string },
): string | undefined;
export declare function isOwnLogoutReturn(params: URLSearchParams, expected: string | null): boolean;
