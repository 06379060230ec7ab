/**
 * `login-harness audit-provider`: audits an authorization server from its discovery document (or, with
 * no `--discovery`, the embedded mock provider in its strict `lexoffice` profile), on the skeleton
 * `audit` uses (audit-run.ts): the same common options, progress, Ctrl-C partial report, gate and exit
 * codes.
 */
import path from 'node:path';
import type { BundledProfile, PermissiveMode } from '../../mock-idp/types.js';
import { PERMISSIVE_MODES } from '../provider/embedded.js';
import type { ProviderOptIn } from '../provider/types.js';
import { listFlag, parseCommandArgs, UsageError } from '../../core/args.js';
import {
  COMMON_AUDIT_OPTIONS,
  exitCodesHelp,
  GATE_HELP,
  OUTPUT_HELP,
  parseCommonAuditOptions,
  policyHelp,
  runAuditSkeleton,
  type CommonAuditOptions,
} from './audit-run.js';
import { reportError } from './exit.js';
import { processIo, type CliIo } from './io.js';

export { PERMISSIVE_MODES };

export const AUDIT_PROVIDER_HELP = `Usage: login-harness audit-provider [options]

Audits an authorization server: the harness plays a correct OAuth client (with its own loopback
callback listener) and splices one deviation into an otherwise correct flow per check (a missing
PKCE challenge, a wrong verifier, a replayed code, a redirect URI variant, ...).

Without --discovery it audits the embedded mock provider in its strict lexoffice profile,
registering its own clients, so the command works out of the box.

Provider:
  --discovery URL|FILE  the provider's discovery document (URL, issuer URL, or JSON file)
  --client FILE         client file: the registered client(s), scopes, login method (required with --discovery)
  --profile NAME        embedded mock only: lexoffice (default), lexoffice-partner or fapi2
  --permissive LIST     embedded mock only, for demonstrations: switch on permissive modes
                        (comma-separated; see docs/provider-audit.md)

Selection:
  --only ID|PREFIX      run only these checks (repeatable, comma-separated; \`provider.pkce\` names a family)
  --skip ID|PREFIX      skip these checks (repeatable, comma-separated)
  --opt-in slow         also run the slow checks (code lifetime: waits ~10 minutes; idle refresh expiry:
                        waits slow.refreshIdleMs from the client file)

Run:
  --seed N              seed for the mock provider and the checks' randomness (default 1)
  --concurrency N       checks running at the same time (default 4)
  --timeout MS          per-check timeout (default by login method: auto 30000, playwright 300000,
                        manual 1800000; slow checks get their wait on top)

${policyHelp('client file')}

${OUTPUT_HELP}

${GATE_HELP}

  -h, --help            show this help

${exitCodesHelp('interrupted, deadline passed')}
`;

const OPTIONS = {
  ...COMMON_AUDIT_OPTIONS,
  discovery: { type: 'string' },
  client: { type: 'string' },
  profile: { type: 'string' },
  permissive: { type: 'string', multiple: true },
  'opt-in': { type: 'string', multiple: true },
} as const;

/** `audit-provider`'s arguments, validated. */
export interface AuditProviderOptions extends CommonAuditOptions {
  discovery?: string;
  clientFile?: string;
  profile: BundledProfile;
  permissive: PermissiveMode[];
  optIns: ProviderOptIn[];
}

const COMMAND = 'audit-provider';

/**
 * Default per-check timeouts by login method: a check may run a dozen logins, and a browser login
 * takes seconds, a manual one minutes.
 */
export const DEFAULT_TIMEOUT_MS = { auto: 30_000, playwright: 300_000, manual: 1_800_000 } as const;

/**
 * Parses and validates the arguments; `undefined` for `--help`. Throws {@link UsageError}. A
 * `checkTimeoutMs` of 0 means the default for the login method ({@link DEFAULT_TIMEOUT_MS}).
 */
export async function parseAuditProviderArgs(argv: string[], cwd: string): Promise<AuditProviderOptions | undefined> {
  const { values: v, help } = parseCommandArgs(COMMAND, argv, OPTIONS, 0);
  if (help) return undefined;
  const usage = (m: string): UsageError => new UsageError(m, { command: COMMAND });
  const common = await parseCommonAuditOptions(COMMAND, v, cwd, { timeoutMs: 0 });
  const discovery =
    v.discovery === undefined
      ? undefined
      : /^https?:\/\//i.test(v.discovery)
        ? v.discovery
        : path.resolve(cwd, v.discovery);
  if (discovery && v.client === undefined)
    throw usage('--discovery needs --client FILE: the harness cannot register clients at a real provider');
  if (!discovery && v.client !== undefined)
    throw usage('--client is only used with --discovery (the embedded mock registers its own clients)');
  if (discovery && v.profile !== undefined)
    throw usage('--profile selects a profile of the embedded mock; it cannot be used with --discovery');
  if (discovery && v.permissive !== undefined)
    throw usage('--permissive only applies to the embedded mock (no --discovery)');
  const profile = v.profile ?? 'lexoffice';
  if (profile !== 'lexoffice' && profile !== 'lexoffice-partner' && profile !== 'fapi2')
    throw usage(`--profile: expected lexoffice, lexoffice-partner or fapi2, got ${JSON.stringify(profile)}`);
  const permissive: PermissiveMode[] = [];
  for (const m of listFlag(v.permissive)) {
    if (!(PERMISSIVE_MODES as readonly string[]).includes(m))
      throw usage(`--permissive: unknown mode ${JSON.stringify(m)} (known: ${PERMISSIVE_MODES.join(', ')})`);
    permissive.push(m as PermissiveMode);
  }
  const optIns: ProviderOptIn[] = [];
  for (const o of listFlag(v['opt-in'])) {
    if (o !== 'slow') throw usage(`--opt-in: unknown group ${JSON.stringify(o)} (known: slow)`);
    optIns.push(o);
  }
  return {
    ...common,
    discovery,
    clientFile: v.client === undefined ? undefined : path.resolve(cwd, v.client),
    profile,
    permissive,
    optIns,
  };
}

/**
 * Runs `audit-provider` and returns its exit code: 0 no failure at or above the threshold, 1 failures,
 * 2 usage or configuration error, 3 the run itself broke.
 */
export async function runAuditProviderCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await auditProvider(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}

async function auditProvider(argv: string[], io: CliIo): Promise<number> {
  const opts = await parseAuditProviderArgs(argv, io.cwd);
  if (!opts) {
    io.stdout(AUDIT_PROVIDER_HELP);
    return 0;
  }
  const [{ loadProviderCatalog }, { prepareEmbeddedAudit, prepareProviderAudit }, { loadClientFile }, audit] =
    await Promise.all([
      import('./catalog.js'),
      import('../provider/embedded.js'),
      import('../provider/config.js'),
      import('../provider/audit.js'),
    ]);
  const catalog = await loadProviderCatalog();
  // An unknown id or prefix is refused (exit 2) before anything starts, as for client audits.
  const checks = audit.planProviderChecks(catalog, opts);
  if (checks.length === 0) throw new UsageError('--only/--skip select no provider check', { command: COMMAND });

  // Read before anything starts: a bad client file (an unknown policy too) is exit 2 at once.
  const clientFile = opts.clientFile ? (await loadClientFile(opts.clientFile)).file : undefined;
  // --policy overrides the client file's `policy`; neither: the default (rfc9700).
  const policy = opts.policy ?? clientFile?.policy;

  return runAuditSkeleton(io, opts, {
    async run({ onEvent, signal }) {
      const prepared =
        opts.discovery && clientFile
          ? await prepareProviderAudit({
              discovery: opts.discovery,
              clientFile,
              seed: opts.seed,
              optIns: opts.optIns,
              print: (l) => io.stderr(`${l}\n`),
              env: io.env,
            })
          : await prepareEmbeddedAudit({
              profile: opts.profile,
              permissive: opts.permissive,
              seed: opts.seed,
              optIns: opts.optIns,
            });
      try {
        // Slow checks wait out a lifetime; their timeout covers the wait.
        const slowExtra = opts.optIns.includes('slow')
          ? Math.max(prepared.setup.slow.codeLifetimeMs, prepared.setup.slow.refreshIdleMs ?? 0)
          : 0;
        return await audit.runProviderAudit(catalog, prepared, {
          only: opts.only,
          skip: opts.skip,
          concurrency: opts.concurrency,
          checkTimeoutMs: (opts.checkTimeoutMs || DEFAULT_TIMEOUT_MS[prepared.setup.person.method]) + slowExtra,
          onEvent,
          signal,
          ...(opts.clientFile ? { clientFile: opts.clientFile } : {}),
          ...(policy ? { policy } : {}),
        });
      } finally {
        await prepared.close();
      }
    },
  });
}
