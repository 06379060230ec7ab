/**
 * Runs provider checks: turns each check into an executor item whose context plays the client against
 * the provider under audit, decides applicability (features, opt-ins) before running, and keeps every
 * exchange as evidence.
 */
import type { PolicyName, Report, RunnerEvent, Severity } from '../../reports/model.js';
import type { CheckCatalog, Outcome } from '../check.js';
import { executeChecksDetailed, type ExecContext, type ExecItem } from '../runner/execute.js';
import { runAudit, type RunResults } from '../runner/run.js';
import { selectChecks, withControls, type Selection } from '../runner/select.js';
import { judgingOf } from '../verdicts/judge.js';
import { hash32, seededRandom } from '../runner/seeded.js';
import { RunTimings, timedItem, timedStep, type CheckTimer } from '../runner/timings.js';
import { waitMs } from '../runner/wait.js';
import { ProviderClient, isConfidential, type ProviderInfo } from './client.js';
import { Recorder, SecretBook } from './evidence.js';
import type { PreparedAudit } from './embedded.js';
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
  /**
   * Every token request of the ordinary flows carries a DPoP proof (a provider that requires DPoP,
   * such as the mock's `fapi2` profile). Checks that test DPoP ask for it themselves.
   */
  dpop?: boolean;
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
  par: 'the provider advertises no pushed_authorization_request_endpoint (RFC 9126 5)',
  'par-required': 'the provider does not advertise require_pushed_authorization_requests: true (RFC 9126 5)',
  dpop: 'the provider does not advertise DPoP (dpop_signing_alg_values_supported with ES256, RFC 9449 5.1)',
  'private-key-jwt':
    'the provider does not advertise private_key_jwt in token_endpoint_auth_methods_supported, or no client with a private key is registered for it (client file: privateKeyJwtClient)',
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
  if (m.pushed_authorization_request_endpoint) f.add('par');
  if (m.pushed_authorization_request_endpoint && m.require_pushed_authorization_requests === true)
    f.add('par-required');
  if (m.dpop_signing_alg_values_supported?.includes('ES256')) f.add('dpop');
  if (clients.privateKeyJwt && m.token_endpoint_auth_methods_supported?.includes('private_key_jwt'))
    f.add('private-key-jwt');
  return f;
}

/** Arranges registered clients by role: the public one drives ordinary flows when there is one. */
export function arrangeClients(list: {
  primary: AuditClients['primary'];
  second?: AuditClients['second'];
  extra?: AuditClients['primary'][];
  privateKeyJwt?: AuditClients['privateKeyJwt'];
}): AuditClients {
  const all = [list.primary, ...(list.second ? [list.second] : []), ...(list.extra ?? [])];
  const pub = all.find((c) => !isConfidential(c));
  // The confidential role is a secret-based client: the client-auth checks send it a wrong or no secret.
  const conf = all.find((c) => isConfidential(c) && c.authMethod !== 'private_key_jwt');
  return {
    primary: list.primary,
    public: pub,
    confidential: conf,
    second: list.second,
    ...(list.privateKeyJwt ? { privateKeyJwt: list.privateKeyJwt } : {}),
  };
}

/** Turns provider checks into executor items over one prepared setup. */
export function providerExecItems(
  catalog: CheckCatalog<ProviderCheck>,
  checks: readonly ProviderCheck[],
  setup: ProviderAuditSetup,
  severities: Record<string, Severity> = {},
  timings?: RunTimings,
): ExecItem[] {
  const items = checks.map((check) => ({
    meta: check,
    references: catalog.references(check),
    severity: severities[check.id] ?? check.severity,
    // `timer`: the check's clock when the run is timed (`timings`), for its waits.
    async run(exec: ExecContext, timer?: CheckTimer): Promise<Outcome> {
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
            ...(setup.dpop ? { dpop: true } : {}),
          }),
        observe: (text, data) => exec.observe(text, data),
        wait: (ms) => timedStep(timer, 'wait', () => (setup.wait ?? waitMs)(ms, exec.signal)),
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
  return timings ? items.map((item) => timedItem(timings, item)) : items;
}

/** Options of {@link runProviderChecks}. */
export interface RunProviderChecksOptions extends Selection {
  concurrency?: number;
  checkTimeoutMs?: number;
  deadline?: number;
  onEvent?(e: RunnerEvent): void;
  signal?: AbortSignal;
  severities?: Record<string, Severity>;
}

/**
 * The checks of the catalog a run executes (`only`/`skip` by id or prefix). An id or prefix that names
 * no check is a {@link ConfigurationError}, as for client audits.
 */
export function planProviderChecks(catalog: CheckCatalog<ProviderCheck>, selection: Selection = {}): ProviderCheck[] {
  // The compensating controls a selected check's verdict depends on run too (unless skipped by name).
  return withControls(selectChecks(catalog.checks, selection), catalog.checks, selection.skip);
}

/**
 * Runs the selected checks of the catalog against the prepared provider; results come back in
 * catalog order.
 */
export async function runProviderChecks(
  catalog: CheckCatalog<ProviderCheck>,
  setup: ProviderAuditSetup,
  opts: RunProviderChecksOptions = {},
): Promise<RunResults> {
  const checks = planProviderChecks(catalog, opts);
  // Phases are relative to the start of the checks, which is the start of the run in runProviderAudit.
  const timings = new RunTimings(performance.now());
  const outcome = await timings.phase('checks', () =>
    executeChecksDetailed(providerExecItems(catalog, checks, setup, opts.severities, timings), {
      concurrency: opts.concurrency ?? 4,
      checkTimeoutMs: opts.checkTimeoutMs ?? 30_000,
      deadline: opts.deadline,
      redact: setup.redact ?? setup.secrets.redact,
      onEvent: opts.onEvent,
      signal: opts.signal,
    }),
  );
  return { ...outcome, timings: timings.toModel(checks.map((c) => c.id)) };
}

/** Options of {@link runProviderAudit}. */
export interface ProviderAuditOptions extends Omit<RunProviderChecksOptions, 'deadline'> {
  /** The client file the audit was configured with, named in the report. */
  clientFile?: string;
  /** How findings become verdicts (docs/verdicts.md). Default `rfc9700`. */
  policy?: PolicyName;
}

/**
 * Audits a prepared provider: the runner frame (run-start, one report, run-end) around
 * {@link runProviderChecks}.
 */
export async function runProviderAudit(
  catalog: CheckCatalog<ProviderCheck>,
  prepared: Pick<PreparedAudit, 'setup' | 'name' | 'profile'>,
  opts: ProviderAuditOptions = {},
): Promise<Report> {
  const checks = planProviderChecks(catalog, opts);
  const target: Report['target'] = { name: prepared.name, kind: 'authorization-server', profile: prepared.profile };
  if (opts.clientFile) target.manifest = opts.clientFile;
  return runAudit(
    {
      mode: 'provider',
      target,
      seed: prepared.setup.seed,
      checkIds: checks.map((c) => c.id),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      judging: judgingOf(catalog, opts.policy),
    },
    (_startedAtMs, onEvent) =>
      runProviderChecks(providerCatalogOnly(catalog, checks), prepared.setup, { ...opts, only: [], skip: [], onEvent }),
  );
}

/** The catalog narrowed to `checks` (already selected), resolving references as the catalog does. */
function providerCatalogOnly(
  catalog: CheckCatalog<ProviderCheck>,
  checks: ProviderCheck[],
): CheckCatalog<ProviderCheck> {
  return { checks, references: (c) => catalog.references(c) };
}
