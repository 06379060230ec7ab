/**
 * The seam between the shared web-app shell and the OAuth 2.0 / OpenID Connect code of each example.
 * The shell owns HTTP, cookies and sessions; a {@link LoginFlow} owns the protocol.
 */

/** What a signed-in session keeps server-side. Never rendered, never put in a URL, never logged. */
export interface Grant {
  /** The person's subject identifier (ID token `sub`, confirmed by userinfo). */
  sub: string;
  accessToken: string;
  refreshToken?: string;
  /** Access token expiry, ms since the epoch; undefined when the provider sent no `expires_in`. */
  expiresAt?: number;
  /** The newest ID token, kept for `id_token_hint` at RP-initiated logout (OIDC RP-Initiated Logout 2). */
  idToken?: string;
  /** The provider session (`sid` of the ID token), for back-channel logout (OIDC Back-Channel Logout 2.7). */
  sid?: string;
}

/** Who a valid back-channel logout token signs out (OIDC Back-Channel Logout 2.4): `sid`, or else `sub`. */
export interface LogoutTarget {
  sub?: string;
  sid?: string;
}

/** A response of the lexoffice API. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/**
 * A sign-in that must be refused, with text that is safe to show (no codes, tokens or stack traces).
 * `detail` is escaped when rendered; it may quote the provider's `error` code.
 */
export class LoginError extends Error {
  constructor(
    readonly title: string,
    readonly detail: string,
    readonly status = 400,
  ) {
    super(`${title}: ${detail}`);
    this.name = 'LoginError';
  }
}

/** The protocol half of an example client. `P` is what must be remembered between login and callback. */
export interface LoginFlow<P> {
  /**
   * Builds the authorization request (RFC 6749 section 4.1.1) and the data bound to the session.
   * `query` is the login URL's query (a client of several providers reads the person's choice there).
   */
  begin(query?: URLSearchParams): Promise<{ url: URL; pending: P }>;
  /** Validates the authorization response, redeems the code, validates what came back. */
  complete(callbackUrl: URL, pending: P): Promise<Grant>;
  /** Exchanges the refresh token (RFC 6749 section 6) for a new grant. */
  refresh(grant: Grant): Promise<Grant>;
  /** Calls the lexoffice API (`path` below its base URL) with the access token in the header. */
  callApi(grant: Grant, path: string): Promise<ApiResponse>;
  /** Revokes the grant at the provider (RFC 7009). */
  revoke(grant: Grant): Promise<void>;
  /**
   * The provider's logout URL for RP-initiated logout (OIDC RP-Initiated Logout 2), or undefined when
   * the client does not use it (no post-logout redirect URI configured, no end_session_endpoint).
   */
  endSessionUrl?(grant: Grant, state: string): URL | undefined;
  /**
   * Validates a back-channel logout token (OIDC Back-Channel Logout 2.6) and says whom it signs out;
   * throws for an invalid token. Absent: the client offers no back-channel logout.
   */
  verifyLogoutToken?(logoutToken: string): Promise<LogoutTarget>;
}
