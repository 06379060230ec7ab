/**
 * What every kind of session shares: its identity and login tag, the target and provider it works
 * against, and the header that binds a request to this check's login (ARCHITECTURE.md, "Login tags").
 */
import { interceptedOrigins } from '../../mock-idp/transports/origins.js';
import { LOGIN_TAG_HEADER, type MockIdp } from '../../mock-idp/types.js';
import { CheckRunError } from '../runner/errors.js';
import type { ResolvedTarget, Session, SessionResponse, TranscriptEntry } from '../types.js';

/** Everything a session is built from. */
export interface SessionContext {
  id: string;
  /** This check's login tag. */
  tag: string;
  target: ResolvedTarget;
  idp: MockIdp;
  /** Headers for a request to `url`: the login tag for the provider's and the mock API's origins. */
  tagHeaders(url: URL): Record<string, string>;
  /** The check's signal: aborted when it times out or the run stops. */
  signal: AbortSignal;
}

/**
 * Origins of the provider: its issuer, every URL its discovery document names, the mock lexoffice API,
 * and the real lexoffice hosts (which browser sessions route into the mock).
 */
export function providerOrigins(idp: MockIdp): Set<string> {
  return new Set(interceptedOrigins(idp));
}

/** Builds the tag-header hook for {@link SessionContext.tagHeaders}. */
export function tagHeadersFor(idp: MockIdp, tag: string): (url: URL) => Record<string, string> {
  const origins = providerOrigins(idp);
  const tagged: Record<string, string> = { [LOGIN_TAG_HEADER]: tag };
  return (url) => (origins.has(url.origin) ? { ...tagged } : {});
}

/** `url` with extra query parameters (e.g. `returnTo` for redirect.open-redirect). */
export function addQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.href;
}

/** The web signed-in oracle (TARGETS.md §2): the expected status and, when given, the text. */
export function signedInByResponse(
  signedIn: { status: number; text?: string },
  res: Pick<SessionResponse, 'status' | 'body'>,
): boolean {
  return res.status === signedIn.status && (signedIn.text === undefined || res.body.includes(signedIn.text));
}

/** Merges transcripts of one session's agents by time (stable, so equal times keep their order). */
export function byTime(...parts: TranscriptEntry[][]): TranscriptEntry[] {
  return parts
    .flat()
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
    .map(({ e }) => e);
}

/**
 * `Session.login`: start, approve, deliver. A provider that does not redirect back refused the
 * client's authorization request (our mock approves every valid one), so that is the target's error.
 */
export async function loginThrough(
  session: Pick<Session, 'startLogin' | 'approve' | 'deliver'>,
  opts?: { loginQuery?: Record<string, string> },
): ReturnType<Session['login']> {
  const request = await session.startLogin(opts);
  const response = await session.approve(request);
  if (!response.callbackUrl) {
    throw new CheckRunError(
      `the provider refused the authorization request and did not redirect back to the client (status ${response.status})`,
      'target',
    );
  }
  const callback = await session.deliver(response.callbackUrl);
  return { request, response, callback };
}
