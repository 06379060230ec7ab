/**
 * Runs provider checks: turns each check into an executor item whose context plays the client against
 * the provider under audit, decides applicability (features, opt-ins) before running, and keeps every
 * exchange as evidence.
 */
import type { CheckResult, RunnerEvent } from '../../reports/model.js';
import { executeChecksDetailed, type ExecItem, type ExecutionStatus } from '../../harness/runner/execute.js';
import { hash32, seededRandom } from '../../harness/runner/seeded.js';
import type { Severity } from '../types.js';
import { waitMs } from '../lib/flow.js';
import { ProviderClient, isConfidential, type ProviderInfo } from './client.js';
import { Recorder, SecretBook } from './evidence.js';
import type { PersonStep } from './person.js';
import type {
  AuditClients,
  ProviderCheck,
  ProviderCheckContext,
  ProviderFeature,
  ProviderOptIn,
  SlowSettings,
} from './types.js';

/** Everything an audit of one provider needs, prepared once and shared by its checks. */
export interface ProviderAuditSetup {
  provider: ProviderInfo;
  clients: AuditClients;
  person: PersonStep;
  /** Scopes a correct client requests (space-separated). */
  scope: string;
  authorizationParams?: Record<string, string>;
  features: ReadonlySet<ProviderFeature>;
  optIns: ReadonlySet<ProviderOptIn>;
  slow: SlowSettings;
  seed: number;
  secrets: SecretBook;
  /** Redaction applied to everything kept (default: the secret book's). */
  redact?: (text: string) => string;
  /** How waits happen (default: real timers). Tests with a frozen provider clock advance it instead. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Why a feature is missing, for `not-applicable` summaries. */
const MISSING: Record<ProviderFeature, string> = {
  pkce: 'the provider does not advertise S256 in code_challenge_methods_supported',
  refresh: 'the provider does not offer the refresh_token grant',
  oidc: 'the provider is not an OpenID provider (or the audit does not request openid)',
  userinfo: 'the provider advertises no userinfo endpoint',
  api: 'no protected resource is known (no API URL and no userinfo endpoint)',
  revocation: 'the provider advertises no revocation endpoint',
  introspection: 'the provider advertises no introspection endpoint',
  'iss-param': 'the provider does not advertise RFC 9207 (authorization_response_iss_parameter_supported)',
  'public-client': 'no public client is registered (the provider supports none, or the client file names none)',
  'confidential-client': 'no confidential client is registered',
  'second-client': 'no second client is registered',
};

/** Describes what a missing feature means for a check. */
export function missingFeature(f: ProviderFeature): string {
  return MISSING[f];
}

/** Works out which features the provider and the registered clients offer. */
export function detectFeatures(provider: ProviderInfo, clients: AuditClients, scope: string): Set<ProviderFeature> {
  const m = provider.metadata;
  const f = new Set<ProviderFeature>();
  if (m.code_challenge_methods_supported?.includes('S256')) f.add('pkce');
  // RFC 8414 2: absent grant_types_supported means ["authorization_code", "implicit"]; a refresh token
  // may still be issued, so the refresh checks then decide from the token response.
  if (!m.grant_types_supported || m.grant_types_supported.includes('refresh_token')) f.add('refresh');
  if (scope.split(' ').includes('openid') && m.jwks_uri && (m.scopes_supported?.includes('openid') ?? true))
    f.add('oidc');
  if (m.userinfo_endpoint) f.add('userinfo');
  if (provider.apiUrl) f.add('api');
  if (m.revocation_endpoint) f.add('revocation');
  if (m.introspection_endpoint) f.add('introspection');
  if (m.authorization_response_iss_parameter_supported === true) f.add('iss-param');
  if (clients.public) f.add('public-client');
  if (clients.confidential) f.add('confidential-client');
  if (clients.second) f.add('second-client');
  return f;
}

/** Arranges registered clients by role: the public one drives ordinary flows when there is one. */
export function arrangeClients(list: {
  primary: AuditClients['primary'];
  second?: AuditClients['second'];
  extra?: AuditClients['primary'][];
}): AuditClients {
  const all = [list.primary, ...(list.second ? [list.second] : []), ...(list.extra ?? [])];
  const pub = all.find((c) => !isConfidential(c));
  const conf = all.find((c) => isConfidential(c));
  return { primary: list.primary, public: pub, confidential: conf, second: list.second };
}

/** Turns provider checks into executor items over one prepared setup. */
export function providerExecItems(
  checks: ProviderCheck[],
  setup: ProviderAuditSetup,
  severities: Record<string, Severity> = {},
): ExecItem[] {
  return checks.map((check) => ({
    meta: check,
    severity: severities[check.id] ?? check.severity,
    async run(exec) {
      if (check.optIn && !setup.optIns.has(check.optIn)) {
        return {
          verdict: 'not-applicable',
          summary: `Opt-in check: run it with --opt-in ${check.optIn} (it waits out a real lifetime).`,
        };
      }
      const missing = check.needs.filter((n) => !setup.features.has(n));
      if (missing.length) {
        return { verdict: 'not-applicable', summary: `Not applicable: ${missing.map(missingFeature).join('; ')}.` };
      }
      const recorder = new Recorder();
      const random = seededRandom(setup.seed ^ hash32(check.id));
      const ctx: ProviderCheckContext = {
        provider: setup.provider,
        features: setup.features,
        clients: setup.clients,
        client: (client = setup.clients.primary) =>
          new ProviderClient({
            provider: setup.provider,
            client,
            person: setup.person,
            recorder,
            secrets: setup.secrets,
            signal: exec.signal,
            scope: setup.scope,
            authorizationParams: setup.authorizationParams,
          }),
        observe: (text, data) => exec.observe(text, data),
        wait: (ms) => (setup.wait ?? waitMs)(ms, exec.signal),
        slow: setup.slow,
        random,
        signal: exec.signal,
      };
      try {
        return await check.run(ctx);
      } finally {
        exec.addTranscript(recorder.entries());
      }
    },
  }));
}

/** Options of {@link runProviderChecks}. */
export interface RunProviderChecksOptions {
  concurrency?: number;
  checkTimeoutMs?: number;
  deadline?: number;
  onEvent?(e: RunnerEvent): void;
  signal?: AbortSignal;
  severities?: Record<string, Severity>;
}

/** Runs the checks against the prepared provider; results come back in the checks' order. */
export async function runProviderChecks(
  checks: ProviderCheck[],
  setup: ProviderAuditSetup,
  opts: RunProviderChecksOptions = {},
): Promise<{ results: CheckResult[]; status: ExecutionStatus }> {
  return executeChecksDetailed(providerExecItems(checks, setup, opts.severities), {
    concurrency: opts.concurrency ?? 4,
    checkTimeoutMs: opts.checkTimeoutMs ?? 30_000,
    deadline: opts.deadline,
    redact: setup.redact ?? setup.secrets.redact,
    onEvent: opts.onEvent,
    signal: opts.signal,
  });
}
