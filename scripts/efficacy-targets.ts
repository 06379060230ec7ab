/**
 * The targets of the efficacy matrix: the vulnerable labs under `examples/labs/` and the reference
 * clients (which must fail nothing). Shared by `scenarios/efficacy.test.ts`, `scripts/matrix.ts`,
 * `scripts/flakiness.ts` and the `catalog` bench suite, so all four agree on what a target is and what
 * it is expected to show.
 *
 * Which checks a lab proves is declared in the labs' index, `examples/labs/labs.json`:
 *
 * ```json
 * { "labs": [{ "dir": "state-present", "fails": ["state.present"] }] }
 * ```
 *
 * `dir` is the lab's folder (holding `target.json`), `fails` the catalog ids it is built to fail (at
 * least one). Every folder under `examples/labs/` with a `target.json` must be listed; folders whose
 * name starts with `_` or `.` (the shared `_base/`) are not labs.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageError } from '../core/args.js';
import { runClientAudit, type ClientAuditOptions } from '../harness/runner/client-audit.js';
import type { ClientCheck } from '../scenarios/types.js';
import { POLICY_NAMES, PolicyNameSchema, VerdictSchema, type PolicyName, type Report } from '../reports/model.js';
import { clientChecks } from '../scenarios/catalog.js';
import { clientCatalogOf } from '../harness/cli/catalog.js';
import type { Verdict } from '../scenarios/types.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the labs live. */
export const LABS_DIR = path.join(ROOT, 'examples', 'labs');
/** The seed every efficacy, matrix and flakiness run uses, so their verdicts can be compared. */
export const EFFICACY_SEED = 1;

const KindSchema = z.enum(['web', 'spa', 'driver']);

/** `examples/labs/labs.json`: which checks each lab is built to fail. */
export const LabIndexSchema = z.looseObject({
  labs: z.array(
    z.looseObject({
      dir: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a folder name under examples/labs/'),
      fails: z.array(z.string().min(1)).min(1, 'a lab declares at least one check'),
      /**
       * `strict` for a lab whose flaw the cited text allows under a condition the lab meets (or that
       * violates only a SHOULD or a recommendation): it fails under `strict` and warns under `rfc9700`.
       */
      policy: PolicyNameSchema.optional(),
      /** Why the lab needs that policy (shown in docs/efficacy-matrix.md). */
      why: z.string().min(1).optional(),
    }),
  ),
});
/** A validated lab index. */
export type LabIndex = z.infer<typeof LabIndexSchema>;

/** Just enough of `target.json` to cross-check the index (the harness validates the rest). */
const ManifestHeadSchema = z.looseObject({ name: z.string(), kind: KindSchema });

/** A lab whose declaration is valid. */
export interface Lab {
  /** The folder name, e.g. `state-present`. */
  folder: string;
  /** The manifest's `name`, as reports show it. */
  name: string;
  kind: z.infer<typeof KindSchema>;
  manifestPath: string;
  /** The check ids it is built to fail. */
  checks: string[];
  /** The policy under which it fails them (`rfc9700` unless the index says `strict`). */
  policy: PolicyName;
  /** Why it needs a policy other than the default. */
  why?: string;
}

/** The labs found, and what is wrong with the ones that cannot be used (each problem names its lab). */
export interface LabDiscovery {
  labs: Lab[];
  problems: string[];
}

/** Formats zod issues with their JSON paths. */
function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/**
 * Reads the lab index and every lab folder under `labsDir`. A folder with a `target.json` that the
 * index does not list, an index entry without a `target.json`, a declared id that is not in the
 * catalog, or a check that does not apply to the lab's kind, is reported in `problems` (the lab is
 * left out).
 */
export async function discoverLabs(labsDir: string = LABS_DIR): Promise<LabDiscovery> {
  const labs: Lab[] = [];
  const problems: string[] = [];
  const rel = path.relative(ROOT, labsDir);
  if (!existsSync(labsDir)) return { labs, problems: [`${rel} does not exist`] };
  const indexPath = path.join(labsDir, 'labs.json');
  let index: LabIndex;
  try {
    const parsed = LabIndexSchema.safeParse(JSON.parse(await readFile(indexPath, 'utf8')));
    if (!parsed.success) return { labs, problems: [`${rel}/labs.json: ${issuesText(parsed.error)}`] };
    index = parsed.data;
  } catch (err) {
    return { labs, problems: [`${rel}/labs.json: ${(err as Error).message}`] };
  }
  const folders = (await readdir(labsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const listed = new Set(index.labs.map((l) => l.dir));
  for (const folder of folders) {
    if (!listed.has(folder) && existsSync(path.join(labsDir, folder, 'target.json'))) {
      problems.push(`${rel}/${folder}: not listed in ${rel}/labs.json, so nothing says which checks it fails`);
    }
  }
  for (const [i, entry] of index.labs.entries()) {
    const where = `${rel}/labs.json: labs.${i} (${entry.dir})`;
    const manifestPath = path.join(labsDir, entry.dir, 'target.json');
    if (!existsSync(manifestPath)) {
      problems.push(`${where}: ${rel}/${entry.dir}/target.json does not exist`);
      continue;
    }
    let head: z.infer<typeof ManifestHeadSchema>;
    try {
      const parsedHead = ManifestHeadSchema.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
      if (!parsedHead.success) {
        problems.push(`${rel}/${entry.dir}/target.json: ${issuesText(parsedHead.error)}`);
        continue;
      }
      head = parsedHead.data;
    } catch (err) {
      problems.push(`${rel}/${entry.dir}/target.json: ${(err as Error).message}`);
      continue;
    }
    const before = problems.length;
    entry.fails.forEach((id, j) => {
      const check = clientChecks.find((c) => c.id === id);
      if (!check) problems.push(`${where}: fails.${j}: ${JSON.stringify(id)} is not a client check id`);
      else if (!check.kinds.includes(head.kind)) {
        problems.push(`${where}: fails.${j}: ${id} applies to ${check.kinds.join(', ')}, not ${head.kind}`);
      }
    });
    if (problems.length > before) continue;
    if (entry.policy && entry.policy !== 'rfc9700' && !entry.why)
      problems.push(`${where}: policy ${entry.policy} needs a "why": which sentence allows the flaw under rfc9700`);
    labs.push({
      folder: entry.dir,
      name: head.name,
      kind: head.kind,
      manifestPath,
      checks: entry.fails,
      policy: entry.policy ?? 'rfc9700',
      ...(entry.why ? { why: entry.why } : {}),
    });
  }
  labs.sort((a, b) => a.folder.localeCompare(b.folder));
  return { labs, problems };
}

/** Catalog ids no lab declares, in catalog order. */
export function checksWithoutLab(labs: readonly Lab[]): string[] {
  const declared = new Set(labs.flatMap((l) => l.checks));
  return clientChecks.filter((c) => !declared.has(c.id)).map((c) => c.id);
}

/** How a reference client is judged. */
export type ReferenceExpectation =
  /** No check may fail or error; only the listed warns are accepted (each with its reason). */
  | { mode: 'clean'; allowedWarns: Record<string, string> }
  /** The verdicts must equal a committed file, so any change shows up as a difference. */
  | { mode: 'recorded'; file: string };

/** A reference client of the matrix. */
export interface ReferenceTarget {
  name: string;
  kind: z.infer<typeof KindSchema>;
  manifestPath: string;
  /**
   * Only checks the HTTP agent runs (`agent: 'default'`) in the efficacy test; the matrix and the
   * bench run the whole catalog.
   */
  httpAgentOnlyInTest: boolean;
  expectation: ReferenceExpectation;
}

/**
 * Secure cannot be set on a loopback http cookie, and CHECKS.md makes that a warn, not a fail
 * (session.cookie-flags: "Secure: warn on loopback http").
 */
const LOOPBACK_SECURE = 'CHECKS.md: session.cookie-flags warns about a missing Secure on loopback http';
/** examples/README.md, "Known differences": openid-client refetches the JWKS for an unknown kid at most once a minute. */
const OPENID_CLIENT_JWKS_REFETCH = 'openid-client rate-limits JWKS refetches to one a minute (examples/README.md)';

/** The reference clients, in the order the matrix shows them. */
export const REFERENCE_TARGETS: readonly ReferenceTarget[] = [
  {
    name: 'reference-web',
    kind: 'web',
    manifestPath: path.join(ROOT, 'examples', 'reference-web', 'target.json'),
    httpAgentOnlyInTest: true,
    expectation: { mode: 'clean', allowedWarns: { 'session.cookie-flags': LOOPBACK_SECURE } },
  },
  {
    name: 'openid-client-web',
    kind: 'web',
    manifestPath: path.join(ROOT, 'examples', 'openid-client-web', 'target.json'),
    httpAgentOnlyInTest: true,
    expectation: {
      mode: 'clean',
      allowedWarns: {
        'session.cookie-flags': LOOPBACK_SECURE,
        // examples/README.md, "Known differences": oauth4webapi refetches the JWKS for an unknown kid at
        // most once a minute, and the check warns (not fails) on a refusal without a refetch.
        'id-token.kid-rotation': OPENID_CLIENT_JWKS_REFETCH,
      },
    },
  },
  {
    name: 'reference-fapi2',
    kind: 'web',
    manifestPath: path.join(ROOT, 'examples', 'reference-fapi2', 'target.json'),
    httpAgentOnlyInTest: true,
    expectation: {
      mode: 'clean',
      allowedWarns: {
        'session.cookie-flags': LOOPBACK_SECURE,
        'id-token.kid-rotation': OPENID_CLIENT_JWKS_REFETCH,
        // openid-client's defaults, which this client keeps: OIDC Core lets a code-flow client skip both.
        'id-token.iat': 'openid-client does not reject a far-future iat (OIDC Core 3.1.3.7 step 10: MAY)',
        'id-token.at-hash': 'openid-client does not check at_hash in the code flow (OIDC Core 3.1.3.8: MAY)',
      },
    },
  },
  {
    // The client of two providers (`"providers": 2`): the mix-up checks apply to it alone.
    name: 'openid-client-two-providers',
    kind: 'web',
    manifestPath: path.join(ROOT, 'examples', 'openid-client-two-providers', 'target.json'),
    httpAgentOnlyInTest: true,
    expectation: {
      mode: 'clean',
      allowedWarns: {
        'session.cookie-flags': LOOPBACK_SECURE,
        'id-token.kid-rotation': OPENID_CLIENT_JWKS_REFETCH,
      },
    },
  },
  {
    name: 'reference-native',
    kind: 'driver',
    manifestPath: path.join(ROOT, 'examples', 'reference-native', 'target.json'),
    httpAgentOnlyInTest: false,
    expectation: {
      mode: 'clean',
      allowedWarns: {
        'id-token.kid-rotation': OPENID_CLIENT_JWKS_REFETCH,
      },
    },
  },
  {
    name: 'reference-spa',
    kind: 'spa',
    manifestPath: path.join(ROOT, 'examples', 'reference-spa', 'target.json'),
    httpAgentOnlyInTest: false,
    expectation: { mode: 'clean', allowedWarns: {} },
  },
  {
    name: 'paper-python',
    kind: 'driver',
    manifestPath: path.join(ROOT, 'examples', 'paper-python', 'target.json'),
    httpAgentOnlyInTest: false,
    expectation: { mode: 'recorded', file: path.join(ROOT, 'scenarios', 'efficacy.paper-python.json') },
  },
];

/** A recorded expectation: every check's verdict under every policy, for one target and seed. */
export const RecordedVerdictsSchema = z.strictObject({
  target: z.string(),
  seed: z.number().int(),
  policies: z.strictObject(
    Object.fromEntries(POLICY_NAMES.map((p) => [p, z.record(z.string(), VerdictSchema)])) as Record<
      PolicyName,
      z.ZodRecord<z.ZodString, typeof VerdictSchema>
    >,
  ),
});

/** A report's verdicts under every policy, as a recorded expectation holds them. */
export function verdictsByPolicy(report: ReportVerdicts): RecordedVerdicts['policies'] {
  return Object.fromEntries(POLICY_NAMES.map((p) => [p, verdictsOf(report, p)])) as RecordedVerdicts['policies'];
}
/** A validated recorded expectation. */
export type RecordedVerdicts = z.infer<typeof RecordedVerdictsSchema>;

/** Reads a recorded expectation; errors name the file and the JSON path. */
export async function readRecordedVerdicts(file: string): Promise<RecordedVerdicts> {
  const parsed = RecordedVerdictsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${path.relative(ROOT, file)}: ${issuesText(parsed.error)}`);
  return parsed.data;
}

/** The part of a report the efficacy judgements read (a full `Report` fits). */
export interface ReportVerdicts {
  status: Report['status'];
  results: Array<Pick<Report['results'][number], 'id' | 'verdict' | 'summary' | 'judgement'>>;
}

/** A result's verdict under `policy` (the report's own verdict when the result carries no judgement). */
export function verdictUnder(result: ReportVerdicts['results'][number], policy?: PolicyName): Verdict {
  return policy && result.judgement ? result.judgement.verdicts[policy] : result.verdict;
}

/** A report's verdicts by check id, in report (catalog) order; under `policy` when given. */
export function verdictsOf(report: ReportVerdicts, policy?: PolicyName): Record<string, Verdict> {
  return Object.fromEntries(report.results.map((r) => [r.id, verdictUnder(r, policy)]));
}

/**
 * Ids of the checks the HTTP agent runs (everything not declared `agent: 'browser'`); with `kind`, only
 * those that apply to targets of that kind (a driver-only check never runs on a web target).
 */
export function httpAgentCheckIds(kind?: z.infer<typeof KindSchema>): string[] {
  return clientChecks.filter((c) => c.agent === 'default' && (!kind || c.kinds.includes(kind))).map((c) => c.id);
}

/** What is wrong with a reference client's report under a `clean` expectation (empty: nothing). */
export function cleanViolations(report: ReportVerdicts, allowedWarns: Record<string, string>): string[] {
  const out: string[] = [];
  if (report.status !== 'complete') out.push(`run status ${report.status}`);
  for (const r of report.results) {
    // A reference client is clean under every policy: strict fails what rfc9700 only warns about,
    // except the warnings its expectation allows with a reason.
    for (const policy of r.id in allowedWarns ? [undefined] : ([undefined, 'strict'] as const)) {
      const verdict = verdictUnder(r, policy);
      if (verdict === 'pass' || verdict === 'not-applicable') continue;
      if (verdict === 'warn' && r.id in allowedWarns) continue;
      out.push(`${r.id}: ${verdict}${policy ? ` under ${policy}` : ''}: ${r.summary}`);
      break;
    }
  }
  return out;
}

/** What is wrong with a lab's report: each declared check must end in `fail` (empty: nothing). */
export function labViolations(lab: Lab, report: ReportVerdicts): string[] {
  const out: string[] = [];
  for (const id of lab.checks) {
    const r = report.results.find((x) => x.id === id);
    if (!r) {
      out.push(`${id}: not run (the audit did not select it)`);
      continue;
    }
    const verdict = verdictUnder(r, lab.policy);
    if (verdict !== 'fail') out.push(`${id}: ${verdict} instead of fail under ${lab.policy}: ${r.summary}`);
    // A lab declared to need a stricter policy must not fail under the default one: the declaration
    // would then hide that the flaw is a plain violation.
    if (lab.policy !== 'rfc9700' && verdictUnder(r, 'rfc9700') === 'fail')
      out.push(`${id}: fails under rfc9700 too, so its policy ${lab.policy} declaration is stale`);
  }
  return out;
}

/** Options of one audit in a batch. */
export type AuditJob = Pick<ClientAuditOptions, 'manifestPath' | 'only' | 'skip'> & {
  label: string;
  /** The checks to choose from (default: the whole client catalog). */
  catalog?: readonly ClientCheck[];
};

/** Shared settings of every audit in a batch. */
export interface AuditSettings {
  seed?: number;
  /** Checks running at the same time inside one audit. */
  checkConcurrency?: number;
  checkTimeoutMs?: number;
  /** Aborting it interrupts the audit (the caller owns the process and its signals). */
  signal?: AbortSignal;
}

/** Runs one audit with the batch settings; it installs no signal handling (the caller owns the process). */
export function audit(job: AuditJob, settings: AuditSettings = {}): Promise<Report> {
  return runClientAudit({
    manifestPath: job.manifestPath,
    ...(job.only ? { only: job.only } : {}),
    ...(job.skip ? { skip: job.skip } : {}),
    catalog: clientCatalogOf(job.catalog ?? clientChecks),
    seed: settings.seed ?? EFFICACY_SEED,
    concurrency: settings.checkConcurrency ?? 4,
    checkTimeoutMs: settings.checkTimeoutMs ?? 30_000,
    ...(settings.signal ? { signal: settings.signal } : {}),
  });
}

/**
 * A limiter: at most `n` tasks run at once, the rest wait in order. Audits are mostly waiting on
 * loopback I/O and child processes, so a few at a time keep two cores busy without starving checks
 * of their timeouts.
 */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    if (active >= n) return;
    const start = queue.shift();
    if (!start) return;
    active++;
    start();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/** A positive integer from the environment, or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** One-character verdict marks for the matrix. */
export const VERDICT_SYMBOL: Record<Verdict, string> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  'not-applicable': '–',
  error: 'E',
};

/**
 * Keeps a long batch of audits alive through an unhandled promise rejection (by default it ends the
 * process and every audit's evidence with it) and records each one: a rejection nobody handled is a
 * harness bug, so callers report the list and fail.
 */
export function recordUnhandledRejections(): { list: string[]; stop(): void } {
  const list: string[] = [];
  const onRejection = (reason: unknown): void => {
    const text =
      reason instanceof Error
        ? `${reason.message}${reason.stack ? ` (${reason.stack.split('\n')[1]?.trim() ?? ''})` : ''}`
        : String(reason);
    list.push(text);
    process.stderr.write(`unhandled rejection (harness bug): ${text}\n`);
  };
  process.on('unhandledRejection', onRejection);
  return { list, stop: () => process.off('unhandledRejection', onRejection) };
}

/**
 * A script's command line read by `read`: its value, or undefined after printing `name: problem` and the
 * usage to stderr (the caller exits 2). Errors other than usage errors are thrown on.
 */
export function readScriptArgs<T>(name: string, usage: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${name}: ${err.message}\n\n${usage}`);
    return undefined;
  }
}
