import { LoginHarnessError } from '../../../core/errors.js';
import type { Exchange, ProviderContext, PushedRequest } from '../../provider-context.js';
import type { ClientRegistration } from '../../types.js';
import type { MockUser } from '../../users/seeded-users.js';

/**
 * The two requests the authorization endpoint answers: the authorization request as the client sends
 * it, and the person's submission of the login form (which repeats that request's parameters).
 */
export type AuthorizationVia = 'authorization' | 'login-form';

/**
 * What a strict check lets through beyond the specification, granted by an `allow_*` step (a permissive
 * mode, or a fault for one login). The checks read only these, never the modes or faults themselves.
 */
export type Allowance =
  /** `redirect_uri` matches when a registered URI is its case-insensitive prefix. */
  | 'redirect-uri-prefix'
  /** An unregistered (but absolute) `redirect_uri` gets an error redirect instead of the error page. */
  | 'error-redirect-to-unregistered-uri'
  /** `response_type=token` (implicit grant). */
  | 'implicit-response'
  /** A public client may leave PKCE out although S256 is advertised. */
  | 'missing-pkce'
  /** `plain` PKCE although only S256 is advertised. */
  | 'plain-pkce'
  /** A plain authorization request although PAR is required (RFC 9126 5, 6). */
  | 'no-par'
  /** A `request_uri` may be used again and after it expired. */
  | 'request-uri-reuse'
  /** A `request_uri` pushed by another client. */
  | 'request-uri-other-client';

/** One authorization request on its way through the steps; each step reads and fills in its part. */
export interface AuthorizationFlow {
  readonly ctx: ProviderContext;
  readonly exchange: Exchange;
  readonly via: AuthorizationVia;
  /**
   * The request parameters (first value of each), without the login form's own fields. With a
   * `request_uri`, resolve_request_uri replaces them with the pushed request's (RFC 9126 4).
   */
  params: Record<string, string>;
  /** Set by resolve_request_uri: the pushed request the front channel's `request_uri` stood for. */
  pushed?: PushedRequest;
  /** Parameter names that came more than once. */
  readonly repeated: readonly string[];
  /** The login form's own fields (the chosen user), on a form submission. */
  readonly form: { user?: string };
  readonly tag?: string;
  readonly allows: Set<Allowance>;
  /** Set by check_client. */
  client?: ClientRegistration;
  /** Set by check_redirect_uri: the redirect URI answers may now go to. */
  redirectUri?: string;
  /** Set by check_response_type. */
  responseType?: 'code' | 'token';
  /** Set by check_scopes. */
  scopes?: string[];
  /** Set by check_pkce. */
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** Set by pick_first_user or read_login_form. */
  user?: MockUser;
  /** The parameters of the redirect back to the client, filled in by the issue and respond steps. */
  response: Record<string, string>;
  /** Where they go: the query (code) or the fragment (implicit grant, RFC 6749 4.2.2). */
  responseIn: 'query' | 'fragment';
}

/** A refusal answered with an HTML page: the redirect URI is not (yet) trusted (RFC 6749 4.1.2.1). */
export class PageRefusal extends LoginHarnessError<'authorization-page-refusal'> {
  constructor(
    readonly description: string,
    /** Request values shown on the page (escaped unless `errors-reflect-unescaped`). */
    readonly reflected: Record<string, string>,
  ) {
    super('authorization-page-refusal', description);
  }
}

/** A refusal answered by redirecting back with `error` (RFC 6749 4.1.2.1): the redirect URI is trusted. */
export class RedirectRefusal extends LoginHarnessError<'authorization-redirect-refusal'> {
  constructor(
    readonly error: string,
    readonly description: string,
    /** Only `error` and `error_description`, no `state` or `iss`: the URI was never the client's. */
    readonly bare = false,
  ) {
    super('authorization-redirect-refusal', description);
  }
}

/**
 * Adds `params` to `uri`'s query, keeping the query it already has (RFC 6749 3.1.2), or to its fragment
 * (implicit grant, RFC 6749 4.2.2).
 */
export function appendToUri(
  uri: string,
  params: Record<string, string>,
  where: 'query' | 'fragment' = 'query',
): string {
  const url = new URL(uri);
  if (where === 'fragment') {
    url.hash = new URLSearchParams(params).toString();
    return url.href;
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return url.href;
}
