import type { Exchange, ProviderContext } from '../provider-context.js';
import type { ClientRegistration } from '../types.js';
import type { OAuthErrorCode } from '../http/responses.js';

/** What a grant handler gets: the authenticated client and the form parameters. */
export interface GrantInput {
  client: ClientRegistration;
  params: Record<string, string>;
  exchange: Exchange;
  /** Thumbprint of the key of the request's verified DPoP proof (RFC 9449 5), if there was one. */
  dpopJkt?: string;
}

/** A grant's answer: a token response body, or an RFC 6749 5.2 error. `tag` is the login it belongs to. */
export type GrantOutcome =
  | { ok: true; body: Record<string, string | number>; tag?: string }
  | { ok: false; error: OAuthErrorCode; description: string; status?: number; tag?: string };

export type GrantHandler = (ctx: ProviderContext, input: GrantInput) => Promise<GrantOutcome>;

/** Scopes of a token request (`scope`, space-delimited; the partner profile also accepts `scopes`, commas). */
export function tokenRequestScopes(ctx: ProviderContext, params: Record<string, string>): string[] | undefined {
  for (const name of ctx.profileSettings.scopeParams) {
    const value = params[name];
    if (value !== undefined) return value.split(/[\s,]+/).filter((s) => s !== '');
  }
  return undefined;
}

/**
 * Permissive race modes only: the round-trip a provider makes to a shared store between reading a grant
 * and writing it back. Real time on purpose (not the provider clock): the race it opens is between real
 * concurrent requests.
 */
export function storeRoundTrip(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
