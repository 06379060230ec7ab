/**
 * The environment of a client audit: a mock provider on loopback, the target's port, the manifest
 * resolved against both, the client registered exactly as the manifest says, and the target process
 * (started on demand). The client audit sets up one shared environment, and one more for each check
 * with discovery faults (a fresh issuer and target process).
 */
import type { DiscoveryFault, MockIdp, RunningMockIdp } from '../../mock-idp/types.js';
import { startMockIdp } from '../../mock-idp/index.js';
import type { TranscriptEntryModel } from '../../reports/model.js';
import { resolveTarget, type ManifestTemplate, type PlaceholderValues } from '../manifest/index.js';
import { freeLoopbackPort } from '../target/index.js';
import type { ResolvedTarget } from '../types.js';
import { startTargetHandle, type StartedTarget } from './start-handle.js';
import { TargetInstance } from './target-instance.js';

/** One provider with its target: the shared one, or a check's own for discovery faults. */
export interface ClientEnvironment {
  idp: MockIdp;
  target: ResolvedTarget;
  instance: TargetInstance<StartedTarget>;
}

/**
 * Starts a mock provider (with `discoveryFaults`, a fresh issuer), picks the target's port, resolves
 * the manifest against both, registers the client exactly as the manifest says (TARGETS.md §1: the
 * redirect URI is matched exactly) and prepares (but does not start) the target.
 */
export async function createEnvironment(
  template: ManifestTemplate,
  seed: number,
  discoveryFaults: DiscoveryFault[],
  signal: AbortSignal,
  idps: MockIdp[],
  cleanups: Array<() => Promise<void>>,
): Promise<ClientEnvironment> {
  // TARGETS.md §1.1: a client that declares DPoP or PAR gets a provider that offers them.
  const features = { dpop: template.client.dpop === true, par: template.client.par === true };
  const running: RunningMockIdp = await startMockIdp({
    profile: template.profile,
    seed,
    ...(discoveryFaults.length ? { discoveryFaults } : {}),
    ...(features.dpop || features.par ? { features } : {}),
  });
  cleanups.push(() => running.close());
  const idp = running.idp;
  idps.push(idp);
  const port = await freeLoopbackPort();
  const target = resolveTarget(template, placeholderValues(idp, port));
  idp.registerClient({
    clientId: target.client.id,
    ...(target.client.secret !== undefined ? { clientSecret: target.client.secret } : {}),
    authMethod: target.client.authMethod,
    redirectUris: [target.client.redirectUri],
    // The mock holds the client to what its manifest declares: proofs on every token request (RFC 9449
    // 5.2 dpop_bound_access_tokens) and pushed requests only (RFC 9126 6).
    ...(target.client.dpop ? { dpopBoundAccessTokens: true } : {}),
    ...(target.client.par ? { requirePushedAuthorizationRequests: true } : {}),
    ...(target.client.jwks ? { jwks: target.client.jwks } : {}),
    ...(target.client.jwksUri ? { jwksUri: target.client.jwksUri } : {}),
    ...(target.client.postLogoutRedirectUris ? { postLogoutRedirectUris: target.client.postLogoutRedirectUris } : {}),
    ...(target.client.backchannelLogoutUri ? { backchannelLogoutUri: target.client.backchannelLogoutUri } : {}),
    // TARGETS.md §1.1 `native`: the app picks its loopback port at run time (RFC 8252 7.3).
    ...(target.native ? { applicationType: 'native' as const } : {}),
  });
  const instance = new TargetInstance<StartedTarget>((s) => startTargetHandle(target, idp, s), signal);
  cleanups.push(() => instance.stop());
  return { idp, target, instance };
}

/** The run-time values of the manifest's placeholders (TARGETS.md §1). */
export function placeholderValues(idp: MockIdp, port: number): PlaceholderValues {
  const e = idp.endpoints;
  return {
    idp: {
      issuer: idp.issuer,
      discoveryUrl: e.discovery,
      authorizationEndpoint: e.authorization,
      tokenEndpoint: e.token,
      ...(e.userinfo ? { userinfoEndpoint: e.userinfo } : {}),
      ...(e.jwks ? { jwksUri: e.jwks } : {}),
      ...(e.revocation ? { revocationEndpoint: e.revocation } : {}),
      ...(e.endSession ? { endSessionEndpoint: e.endSession } : {}),
      apiBaseUrl: idp.apiBaseUrl,
    },
    target: { port },
  };
}

/** The provider's side of this check's logins, as transcript entries (agent `provider`). */
export function providerTranscript(
  idp: MockIdp,
  tag: string,
  opts: { discovery?: boolean } = {},
): TranscriptEntryModel[] {
  // A target that refused to start left only its (untagged) discovery fetches as evidence.
  const entries = opts.discovery ? idp.journal.entries({ endpoint: 'discovery' }) : idp.journal.entries({ tag });
  return entries.map((e) => {
    const entry: TranscriptEntryModel = {
      seq: e.seq,
      at: e.at,
      agent: 'provider',
      method: e.request.method,
      url: e.request.url,
      requestHeaders: e.request.headers,
      status: e.response.status,
      responseHeaders: e.response.headers,
      note: `provider ${e.endpoint}`,
    };
    if (e.request.body !== undefined) entry.requestBody = e.request.body;
    if (e.response.body !== undefined) entry.responseBody = e.response.body;
    return entry;
  });
}
