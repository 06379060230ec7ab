/**
 * Small helpers the provider checks share to state outcomes and to read the provider's answers the
 * same way everywhere.
 */
import type { Outcome } from '../types.js';
import type { AuthorizeResult, PendingAuthorization, TokenResponse } from '../../harness/provider/client.js';

/** The behaviour was observed to be right. */
export const pass = (summary: string): Outcome => ({ verdict: 'pass', summary });
/** The behaviour was observed to be wrong. */
export const fail = (summary: string): Outcome => ({ verdict: 'fail', summary });
/** Observed, and worth a look, but no RFC requirement is broken. */
export const warn = (summary: string): Outcome => ({ verdict: 'warn', summary });
/** The provider lacks what the check needs, or the check's precondition did not hold (never a pass). */
export const notApplicable = (summary: string): Outcome => ({ verdict: 'not-applicable', summary });
/** The provider answered so that nothing could be decided. */
export const targetError = (summary: string): Outcome => ({ verdict: 'error', errorKind: 'target', summary });
/** The audit's configuration (e.g. manual login) cannot observe what the check needs. */
export const configError = (summary: string): Outcome => ({ verdict: 'error', errorKind: 'configuration', summary });

/** How the provider answered an authorization request, reduced to what checks decide on. */
export type AuthorizeVerdict =
  /** A code (or a token) was issued: the request was accepted. */
  | { accepted: true; how: string }
  /** Refused: an error page, or a redirect with `error` and nothing issued. */
  | { accepted: false; how: string }
  /** Nothing observable (manual login without a redirect). */
  | { accepted: undefined; how: string };

/** Reads an authorization outcome: accepted (something issued), refused, or not observed. */
export function readAuthorize(r: AuthorizeResult): AuthorizeVerdict {
  if (r.kind === 'none') return { accepted: undefined, how: r.reason };
  if (r.kind === 'page')
    return { accepted: false, how: `the provider showed a page (status ${r.status}) instead of redirecting` };
  const p = { ...r.query, ...r.fragment };
  if (p.code || p.access_token || p.id_token) {
    const what = [p.code && 'a code', p.access_token && 'an access token', p.id_token && 'an ID token']
      .filter(Boolean)
      .join(' and ');
    return { accepted: true, how: `the provider redirected with ${what}` };
  }
  if (p.error) return { accepted: false, how: `the provider redirected with error=${p.error}` };
  return { accepted: false, how: 'the provider redirected with neither a code nor an error' };
}

/** Observation data for an authorization outcome (no secrets beyond what the redactor removes). */
export function authorizeData(pending: PendingAuthorization, r: AuthorizeResult): Record<string, unknown> {
  const base: Record<string, unknown> = { request: pending.params };
  if (r.kind === 'redirect') return { ...base, location: r.location };
  if (r.kind === 'page') return { ...base, status: r.status, contentType: r.contentType };
  return { ...base, reason: r.reason };
}

/** Observation data for a token answer. */
export function tokenData(t: TokenResponse): Record<string, unknown> {
  return {
    status: t.status,
    contentType: t.headers['content-type'],
    error: t.error,
    errorDescription: typeof t.json?.error_description === 'string' ? t.json.error_description : undefined,
    issued: t.ok ? Object.keys(t.json ?? {}).filter((k) => k.endsWith('token')) : [],
  };
}
