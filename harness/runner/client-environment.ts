/**
 * The environment of a client audit: a mock provider on loopback, the target's port, the manifest
 * resolved against both, the client registered exactly as the manifest says, and the target process
 * (started on demand). The client audit sets up one shared environment, and one more for each check
 * with discovery faults (a fresh issuer and target process).
 */
import type { DiscoveryFault, MockIdp, RunningMockIdp } from '../../mock-idp/types.js';
import type { MemoryLimits } from '../../mock-idp/index.js';
import { startMockIdp } from '../../mock-idp/index.js';
import type { TranscriptEntryModel } from '../../reports/model.js';
import {
  resolveTarget,
  type ManifestTemplate,
  type PlaceholderValues,
  type ProviderPlaceholderValues,
} from '../manifest/index.js';
import { freeLoopbackPort } from '../target/index.js';
import type { TargetPriority } from '../target/priority.js';
import type { ResolvedTarget } from '../types.js';
import { startTargetHandle, type StartedTarget } from './start-handle.js';
import { TargetInstance } from './target-instance.js';
import { openSession, type OpenSessionOptions } from '../session/index.js';
import type { Session } from '../types.js';
import type { ClientCheckContext } from '../check.js';

/** One provider with its target: the shared one, or a check's own for discovery faults. */
export interface ClientEnvironment {
  idp: MockIdp;
  /** The second provider of a manifest with `"providers": 2` (TARGETS.md §1.1); absent otherwise. */
  idp2?: MockIdp;
  target: ResolvedTarget;
  instance: TargetInstance<StartedTarget>;
}

/**
 * The second provider's seed: its own keys, codes and tokens (the same seed would mint the same values
 * at both issuers, and a code could not be traced to the provider that issued it).
 */
export function secondProviderSeed(seed: number): number {
  return (seed + 0x9e3779b1) >>> 0;
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
  /** How much the providers remember (default: `DEFAULT_MEMORY_LIMITS`). */
  memory?: Partial<MemoryLimits>,
  /** The CPU share of the target's processes (default: an even share). */
  priority?: TargetPriority,
): Promise<ClientEnvironment> {
  // TARGETS.md §1.1: a client that declares DPoP or PAR gets a provider that offers them.
  const features = { dpop: template.client.dpop === true, par: template.client.par === true };
  const several = (template.providers ?? 1) >= 2;
  // A client of two providers registered with one redirect URI at both (as TARGETS.md §1 registers it)
  // can defend against mix-up only by issuer identification (RFC 9700 4.4.2.1): both issuers of such a
  // run advertise RFC 9207 and send `iss`, so the mix-up checks test a defence the client can have.
  const issuerIdentification: DiscoveryFault[] = several ? ['discovery.iss-parameter'] : [];
  const start = (s: number, faults: DiscoveryFault[]): Promise<RunningMockIdp> =>
    startMockIdp({
      profile: template.profile,
      seed: s,
      ...(faults.length ? { discoveryFaults: faults } : {}),
      ...(features.dpop || features.par ? { features } : {}),
      ...(memory ? { memory } : {}),
    });
  const running = await start(seed, [...new Set([...discoveryFaults, ...issuerIdentification])]);
  cleanups.push(() => running.close());
  const idp = running.idp;
  idps.push(idp);
  // The second issuer has the same profile but not this environment's discovery faults: a check's
  // issuer-wide change is about the provider its logins go to (the first), and a target that refuses
  // to start under it must be refusing that provider's metadata.
  let idp2: MockIdp | undefined;
  if (several) {
    const second = await start(secondProviderSeed(seed), issuerIdentification);
    cleanups.push(() => second.close());
    idp2 = second.idp;
    idps.push(idp2);
  }
  const port = await freeLoopbackPort();
  const target = resolveTarget(template, placeholderValues(idp, port, idp2));
  for (const provider of idp2 ? [idp, idp2] : [idp]) register(provider, target);
  const instance = new TargetInstance<StartedTarget>((s) => startTargetHandle(target, idp, s, priority), signal);
  cleanups.push(() => instance.stop());
  return { idp, ...(idp2 ? { idp2 } : {}), target, instance };
}

/**
 * Registers the client exactly as the manifest says. The second provider registers the same client
 * (id, secret or keys, redirect URI): TARGETS.md §1.1 gives it no other registration, and one redirect
 * URI at both issuers is the setting RFC 9700 4.4.1 describes the attack in.
 */
function register(idp: MockIdp, target: ResolvedTarget): void {
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
}

/** The run-time values of the manifest's placeholders (TARGETS.md §1), with `idp2` when there is one. */
export function placeholderValues(idp: MockIdp, port: number, idp2?: MockIdp): PlaceholderValues {
  return {
    idp: providerValues(idp),
    ...(idp2 ? { idp2: providerValues(idp2) } : {}),
    target: { port },
  };
}

/** One provider's placeholder values. */
function providerValues(idp: MockIdp): ProviderPlaceholderValues {
  const e = idp.endpoints;
  return {
    issuer: idp.issuer,
    discoveryUrl: e.discovery,
    authorizationEndpoint: e.authorization,
    tokenEndpoint: e.token,
    ...(e.userinfo ? { userinfoEndpoint: e.userinfo } : {}),
    ...(e.jwks ? { jwksUri: e.jwks } : {}),
    ...(e.revocation ? { revocationEndpoint: e.revocation } : {}),
    ...(e.endSession ? { endSessionEndpoint: e.endSession } : {}),
    apiBaseUrl: idp.apiBaseUrl,
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

/**
 * A session of `env`'s target under `opts.tag`, in the caller's `agent`, unless the caller asks for a
 * plain HTTP agent (`asked`), which a web target gets (other kinds keep their usual agent).
 */
export function openEnvironmentSession(
  env: ClientEnvironment,
  opts: Omit<OpenSessionOptions, 'target' | 'idp'> & { asked?: 'http' },
): Promise<Session> {
  const { asked, ...rest } = opts;
  return openSession({
    ...rest,
    agent: asked === 'http' && env.target.kind === 'web' ? 'http' : opts.agent,
    target: env.target,
    idp: env.idp,
  });
}

/** What a check context says of the environment it runs in, for logins under `tag`. */
export function environmentOfContext(
  env: ClientEnvironment,
  tag: string,
): Pick<ClientCheckContext, 'target' | 'idp' | 'idp2' | 'tag' | 'targetLogs'> {
  return {
    target: env.target,
    idp: env.idp,
    ...(env.idp2 ? { idp2: env.idp2 } : {}),
    tag,
    targetLogs: () => env.instance.logs(),
  };
}
