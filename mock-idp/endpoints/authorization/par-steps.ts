import { REQUEST_URI_PREFIX } from '../par.js';
import { PageRefusal, RedirectRefusal, type AuthorizationFlow } from './flow.js';

/**
 * The steps of pushed authorization requests at the authorization endpoint (RFC 9126 4, 5, 6), and the
 * allowances their permissive modes grant.
 */

/** `par-not-required`. */
export function allowPlainRequest(flow: AuthorizationFlow): void {
  flow.allows.add('no-par');
}

/** `request-uri-reusable`. */
export function allowRequestUriReuse(flow: AuthorizationFlow): void {
  flow.allows.add('request-uri-reuse');
}

/** `request-uri-not-bound`. */
export function allowRequestUriOfOtherClient(flow: AuthorizationFlow): void {
  flow.allows.add('request-uri-other-client');
}

/**
 * RFC 9126 4: a `request_uri` from the PAR endpoint stands for the pushed request. It must be known, not
 * expired ("An expired request_uri MUST be rejected as invalid"), not used before (one-time use), and
 * pushed by the client named in the front channel. The pushed parameters then replace the front
 * channel's (RFC 9101 5: only the request object's parameters are used), keeping `client_id`.
 */
export function resolveRequestUri(flow: AuthorizationFlow): void {
  const uri = flow.params.request_uri;
  if (uri === undefined) return;
  const client = flow.client!;
  const refuse = (why: string): never => {
    throw new PageRefusal(`invalid request_uri: ${why}`, { client_id: client.clientId });
  };
  const pushed = uri.startsWith(REQUEST_URI_PREFIX) ? flow.ctx.pushed.get(uri) : undefined;
  if (!pushed) refuse('unknown');
  if (pushed!.clientId !== client.clientId && !flow.allows.has('request-uri-other-client')) {
    refuse('it was pushed by another client');
  }
  if (!flow.allows.has('request-uri-reuse')) {
    if (pushed!.used) refuse('it has been used already');
    if (pushed!.expiresAt <= flow.ctx.clock()) refuse('it has expired');
    pushed!.used = true;
  }
  flow.pushed = pushed;
  flow.params = { ...pushed!.params, client_id: flow.params.client_id };
}

/**
 * RFC 9126 4: when PAR is required, globally (`require_pushed_authorization_requests`, RFC 9126 5) or
 * for the client (RFC 9126 6), a request without a `request_uri` is refused with `invalid_request`.
 */
export function checkParRequired(flow: AuthorizationFlow): void {
  const required = flow.ctx.built.requirePar || flow.client!.requirePushedAuthorizationRequests === true;
  if (!required || flow.pushed !== undefined || flow.allows.has('no-par')) return;
  throw new RedirectRefusal('invalid_request', 'pushed authorization requests are required (RFC 9126)');
}
