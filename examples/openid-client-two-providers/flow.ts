/**
 * openid-client-web for two providers: one openid-client configuration per provider, and a login that
 * stays with the provider it started at (RFC 9700 §4.4.2). The person picks the provider at
 * `/login?provider=2` (default: the first). The pending login stores the provider's index with state,
 * nonce and verifier in the person's session; the callback is completed with that provider's
 * configuration only, so openid-client compares `iss` (RFC 9207, advertised by both) with the issuer the
 * login started at and redeems the code at that issuer's token endpoint, never at the other.
 */
import type * as client from 'openid-client';
import type { ExampleEnv } from '../shared/env.js';
import { LoginError, type ApiResponse, type Grant, type LoginFlow } from '../shared/login-flow.js';
import { createOpenIdClientFlow, type PendingLogin } from '../openid-client-web/flow.js';

/** One configured provider: its discovered configuration, its environment and its flow. */
export interface ConfiguredProvider {
  /** 1 or 2: how `/login?provider=` names it. */
  index: number;
  issuer: string;
  flow: LoginFlow<PendingLogin>;
}

/** What the session remembers between the redirect and the callback: the provider with its login. */
export interface TwoProviderPending {
  provider: number;
  login: PendingLogin;
}

/**
 * The two decisions a two-provider client makes at the callback. The defaults are right; a lab
 * replaces one of them.
 */
export interface TwoProviderSteps {
  /** The provider that completes the login (checks `iss`, redeems the code): the one it started at. */
  providerFor(
    callbackUrl: URL,
    started: ConfiguredProvider,
    providers: readonly ConfiguredProvider[],
  ): ConfiguredProvider;
  /** The callback as the library sees it: unchanged. */
  callbackFor(callbackUrl: URL, provider: ConfiguredProvider): URL;
}

export const DEFAULT_STEPS: TwoProviderSteps = {
  providerFor: (_url, started) => started,
  callbackFor: (url) => url,
};

/** Builds the {@link LoginFlow} over `providers` (index 1 first). */
export function createTwoProviderFlow(
  providers: readonly ConfiguredProvider[],
  steps: Partial<TwoProviderSteps> = {},
): LoginFlow<TwoProviderPending> {
  const s: TwoProviderSteps = { ...DEFAULT_STEPS, ...steps };
  const first = providers[0];
  if (!first) throw new Error('at least one provider is needed');
  // Each grant belongs to the provider that issued it: refresh, API calls and revocation go there.
  const owner = new WeakMap<Grant, ConfiguredProvider>();
  const ownerOf = (grant: Grant): ConfiguredProvider => {
    const p = owner.get(grant);
    if (!p) throw new LoginError('Session ended', 'This sign-in is not known to any provider.', 401);
    return p;
  };
  const byIndex = (index: number): ConfiguredProvider => {
    const p = providers.find((x) => x.index === index);
    if (!p) throw new LoginError('Sign-in unavailable', `There is no provider ${index}.`);
    return p;
  };

  return {
    async begin(query) {
      const wanted = query?.get('provider');
      const provider = wanted ? byIndex(Number(wanted)) : first;
      const { url, pending } = await provider.flow.begin();
      return { url, pending: { provider: provider.index, login: pending } };
    },

    async complete(callbackUrl, pending) {
      const started = byIndex(pending.provider);
      const provider = s.providerFor(callbackUrl, started, providers);
      const grant = await provider.flow.complete(s.callbackFor(callbackUrl, provider), pending.login);
      owner.set(grant, provider);
      return grant;
    },

    async refresh(grant) {
      const provider = ownerOf(grant);
      const next = await provider.flow.refresh(grant);
      owner.set(next, provider);
      return next;
    },

    callApi(grant, path): Promise<ApiResponse> {
      return ownerOf(grant).flow.callApi(grant, path);
    },

    revoke(grant) {
      return ownerOf(grant).flow.revoke(grant);
    },

    endSessionUrl(grant, state) {
      return ownerOf(grant).flow.endSessionUrl?.(grant, state);
    },
  };
}

/** The provider of `providers` whose issuer is `iss` (exact string comparison), if any. */
export function providerByIssuer(
  providers: readonly ConfiguredProvider[],
  iss: string | null,
): ConfiguredProvider | undefined {
  return iss === null ? undefined : providers.find((p) => p.issuer === iss);
}

/** Configured providers from openid-client configurations and their environments. */
export function configuredProviders(
  entries: ReadonlyArray<{ config: client.Configuration; env: ExampleEnv }>,
): ConfiguredProvider[] {
  return entries.map(({ config, env }, i) => ({
    index: i + 1,
    issuer: config.serverMetadata().issuer,
    flow: createOpenIdClientFlow(config, env),
  }));
}
