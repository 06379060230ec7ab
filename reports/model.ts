/**
 * The result model every report writer works from. It is versioned; its JSON Schema is exported from
 * the package (`reports/schema.json`, generated from this zod model). Output models forbid unknown fields.
 */
import { z } from 'zod';

export const REPORT_SCHEMA_VERSION = '2.0.0';

export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export const VerdictSchema = z.enum(['pass', 'fail', 'warn', 'not-applicable', 'error']);
/** Who broke when a check ends in `error`: the target, its configuration (manifest), or the harness. */
export const ErrorKindSchema = z.enum(['target', 'harness', 'configuration']);

/** How severe a failure of a check is; the one definition every folder uses. */
export type Severity = z.infer<typeof SeveritySchema>;
/** How a check run ended; the one definition every folder uses. */
export type Verdict = z.infer<typeof VerdictSchema>;
/** Who broke, for a check that ended in `error`; the one definition every folder uses. */
export type ErrorKind = z.infer<typeof ErrorKindSchema>;

export const ReferenceSchema = z.strictObject({ key: z.string(), url: z.string(), label: z.string() });

/**
 * The level of a requirement in the text that states it (RFC 2119 keywords; `RECOMMENDED` also stands
 * for a recommended practice or defence in depth that the text does not state as a keyword).
 */
export const REQUIREMENT_LEVELS = ['MUST', 'SHOULD', 'RECOMMENDED'] as const;
export const RequirementLevelSchema = z.enum(REQUIREMENT_LEVELS);
export type RequirementLevel = z.infer<typeof RequirementLevelSchema>;

/**
 * The policies that turn a finding into a verdict (docs/verdicts.md): `rfc9700` (default) fails a
 * violated MUST and warns on the rest; `strict` fails every violated SHOULD and recommendation too;
 * `fapi2` applies the FAPI 2.0 Security Profile where it is stricter.
 */
export const POLICY_NAMES = ['rfc9700', 'strict', 'fapi2'] as const;
export const PolicyNameSchema = z.enum(POLICY_NAMES);
export type PolicyName = z.infer<typeof PolicyNameSchema>;
export const DEFAULT_POLICY: PolicyName = 'rfc9700';

/** A requirement as a report shows it: the rule, its level in the cited text, and where it stands. */
export const RequirementSchema = z.strictObject({
  text: z.string(),
  level: RequirementLevelSchema,
  reference: ReferenceSchema,
});

/**
 * A condition under which the cited text allows the behaviour the check found, and whether it held in
 * this run: facts about the target (from its manifest) and compensating controls (other checks of the
 * same run, with their verdicts; `not-run` when the run did not execute that check).
 */
export const AllowanceResultSchema = z.strictObject({
  name: z.string(),
  text: z.string(),
  reference: ReferenceSchema,
  facts: z.array(z.strictObject({ fact: z.string(), holds: z.boolean() })),
  controls: z.array(z.strictObject({ id: z.string(), verdict: z.union([VerdictSchema, z.literal('not-run')]) })),
  /** `unknown` when a control ended in `error` or did not run, so the condition could not be established. */
  held: z.enum(['yes', 'no', 'unknown']),
});

/** How the verdict was reached from what the check observed (its finding). */
export const JudgementSchema = z.strictObject({
  /** The policy that decided `verdict`. */
  policy: PolicyNameSchema,
  /** What the check observed, before any policy: `fail` means the requirement was seen violated. */
  finding: VerdictSchema,
  requirement: RequirementSchema,
  /** The conditions the text allows otherwise, as evaluated in this run (empty when it allows none). */
  allowances: z.array(AllowanceResultSchema),
  /** Why the policy gave this verdict, one or two sentences with the citation. */
  reason: z.string(),
  /** The verdict under every policy. */
  verdicts: z.strictObject({ rfc9700: VerdictSchema, strict: VerdictSchema, fapi2: VerdictSchema }),
});
export type Judgement = z.infer<typeof JudgementSchema>;
export type AllowanceResult = z.infer<typeof AllowanceResultSchema>;

/** One redacted HTTP (or driver) exchange, as evidence. */
export const TranscriptEntrySchema = z.strictObject({
  seq: z.number().int(),
  at: z.number(),
  agent: z.enum(['http', 'browser', 'driver', 'harness', 'provider']),
  method: z.string(),
  url: z.string(),
  requestHeaders: z.record(z.string(), z.string()),
  requestBody: z.string().optional(),
  status: z.number().int().optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
  responseBody: z.string().optional(),
  note: z.string().optional(),
});

export const ObservationSchema = z.strictObject({ text: z.string(), data: z.unknown().optional() });

export const CheckResultSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  /** Effective severity (after per-run overrides). */
  severity: SeveritySchema,
  verdict: VerdictSchema,
  summary: z.string(),
  errorKind: ErrorKindSchema.optional(),
  /** The requirement tested, and how the policy turned the finding into `verdict`. */
  judgement: JudgementSchema.optional(),
  references: z.array(ReferenceSchema),
  must: z.string(),
  rationale: z.string(),
  remediation: z.string(),
  /** Fault switched on, when the check used one. */
  fault: z.string().optional(),
  observations: z.array(ObservationSchema),
  /** Redacted transcript: user agent, driver and provider exchanges in order. */
  transcript: z.array(TranscriptEntrySchema),
  /**
   * Set when a baseline entry accepted this finding; `policy` is the policy the entry was made under
   * (absent for an entry that names none).
   */
  baselined: z
    .strictObject({ justification: z.string(), expires: z.string(), policy: PolicyNameSchema.optional() })
    .optional(),
  startedAt: z.string(),
  durationMs: z.number(),
});

/**
 * One phase of a run (reports/model.ts `Timings`): `cli` (process start to run start: node, module
 * loading, argument parsing), `provider` (the shared mock provider), `target` (the shared target
 * process, until ready), `environment` (a check's own provider and target, for discovery faults;
 * `check` names it), `browser` (Chromium launch), `checks` (first check start to last check end),
 * `report` (building the report and writing the other formats; the JSON file is written last).
 */
export const PhaseTimingSchema = z.strictObject({
  name: z.enum(['cli', 'provider', 'target', 'environment', 'browser', 'checks', 'report']),
  /** The check whose phase this is (`environment`). */
  check: z.string().optional(),
  /** Start, in ms relative to the run's `startedAt` (negative for `cli`). */
  startMs: z.number(),
  durationMs: z.number(),
});

/**
 * Where one check's time went. Categories are wall time during which at least one step of that kind
 * was in progress; they may overlap (a wait inside a login) and do not add up to `durationMs`.
 */
export const CheckTimingSchema = z.strictObject({
  id: z.string(),
  durationMs: z.number(),
  /** Starting the check's own provider and target (discovery faults), and waiting for a target to be ready. */
  setupMs: z.number(),
  /** Opening user-agent sessions (a browser context per session). */
  sessionMs: z.number(),
  /** User-agent steps: logins (start, approve, callback), the signed-in oracle, API calls, refresh, logout. */
  loginMs: z.number(),
  /** Waiting for time to pass or for the provider journal to show an expected request. */
  waitMs: z.number(),
});

/** Where a run's time went: the phases in a fixed order, and every check's breakdown in catalog order. */
export const TimingsSchema = z.strictObject({
  phases: z.array(PhaseTimingSchema),
  checks: z.array(CheckTimingSchema),
});
export type PhaseTiming = z.infer<typeof PhaseTimingSchema>;
export type CheckTiming = z.infer<typeof CheckTimingSchema>;
export type Timings = z.infer<typeof TimingsSchema>;

export const ReportSchema = z.strictObject({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.strictObject({ name: z.literal('lexoffice-login-harness'), version: z.string() }),
  /** `client` audits a client (target); `provider` audits an authorization server. */
  mode: z.enum(['client', 'provider']),
  target: z.strictObject({
    name: z.string(),
    kind: z.string(),
    profile: z.string(),
    manifest: z.string().optional(),
  }),
  seed: z.number().int(),
  /** The policy that decided the verdicts (each result also records its verdict under the others). */
  policy: PolicyNameSchema,
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  /** `complete`, or why the run did not finish (interrupted, deadline, crashed); the results are partial then. */
  status: z.enum(['complete', 'interrupted', 'deadline', 'crashed']),
  shard: z.strictObject({ index: z.number().int(), count: z.number().int() }).optional(),
  results: z.array(CheckResultSchema),
  summary: z.strictObject({
    total: z.number().int(),
    pass: z.number().int(),
    fail: z.number().int(),
    warn: z.number().int(),
    notApplicable: z.number().int(),
    error: z.number().int(),
    failBySeverity: z.record(SeveritySchema, z.number().int()),
  }),
  /** Where the run's time went. Only its numbers vary between runs of the same selection, not its entries. */
  timings: TimingsSchema.optional(),
});

export type Report = z.infer<typeof ReportSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type TranscriptEntryModel = z.infer<typeof TranscriptEntrySchema>;
/** A specification reference of a check, resolved to its link. */
export type Reference = z.infer<typeof ReferenceSchema>;

/**
 * Transcripts that passed {@link TranscriptEntrySchema} in a report {@link buildReport} made, frozen so
 * they stay as checked. A transcript is most of a report's bytes and of the time checking the report takes
 * (a web audit has about a thousand exchanges); {@link parseReport} does not check a registered one again.
 */
const checkedTranscripts = new WeakSet<readonly unknown[]>();

/**
 * Registers the transcripts of `report`, which has just passed {@link ReportSchema} (its own output, so
 * no one else holds its arrays), and freezes them deeply. Returns `report`.
 */
export function registerCheckedTranscripts(report: Report): Report {
  for (const result of report.results) register(result.transcript);
  return report;
}

/** Freezes a transcript that passed {@link TranscriptEntrySchema} deeply and registers it; returns it. */
function register(transcript: TranscriptEntryModel[]): TranscriptEntryModel[] {
  deepFreeze(transcript);
  checkedTranscripts.add(transcript);
  return transcript;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
}

/** {@link ReportSchema} with every transcript taken as checked (built when first needed). */
let reportWithCheckedTranscripts: z.ZodType<Report> | undefined;

/** {@link TranscriptEntrySchema} for a whole transcript. */
const TranscriptSchema = z.array(TranscriptEntrySchema);

/**
 * A check's transcript, checked against {@link TranscriptEntrySchema} when the executor builds its
 * result (harness/runner/execute.ts): the checked copy, frozen and registered, so that checking the
 * whole report at the run's end ({@link safeParseReport} in `buildReport`) skips it. A transcript that
 * does not pass is returned as it is, and the report's check then names what is wrong by its JSON path.
 */
export function checkedTranscript(entries: TranscriptEntryModel[]): TranscriptEntryModel[] {
  const parsed = TranscriptSchema.safeParse(entries);
  return parsed.success ? register(parsed.data) : entries;
}

/** The schema that checks `value`: {@link ReportSchema}, without its transcripts when all are registered. */
function reportSchemaFor(value: unknown): z.ZodType<Report> {
  const results = (value as { results?: unknown } | null)?.results;
  const allChecked =
    Array.isArray(results) &&
    results.every((r) => {
      const transcript = (r as { transcript?: unknown } | null)?.transcript;
      return Array.isArray(transcript) && checkedTranscripts.has(transcript);
    });
  if (!allChecked) return ReportSchema;
  reportWithCheckedTranscripts ??= ReportSchema.extend({
    results: z.array(CheckResultSchema.extend({ transcript: z.custom<TranscriptEntryModel[]>(Array.isArray) })),
  }) as unknown as z.ZodType<Report>;
  return reportWithCheckedTranscripts;
}

/**
 * `value` checked against {@link ReportSchema} (what `ReportSchema.parse` returns, and throws): a
 * registered transcript (see {@link registerCheckedTranscripts} and {@link checkedTranscript}) is taken
 * as it is, everything else is checked. A report that `applyGate` or the report phase derived from a
 * built report (new results and timings, the same transcripts) is thus checked again without them.
 */
export function parseReport(value: unknown): Report {
  return reportSchemaFor(value).parse(value);
}

/** {@link parseReport} as `safeParse`: the result instead of a thrown error. */
export function safeParseReport(value: unknown): ReturnType<z.ZodType<Report>['safeParse']> {
  return reportSchemaFor(value).safeParse(value);
}

/**
 * Runner events. Report writers are observers of these; the final report is also built from them,
 * so a run interrupted after some checks still yields a valid partial report.
 */
export type RunnerEvent =
  | {
      type: 'run-start';
      target: Report['target'];
      seed: number;
      mode: Report['mode'];
      checkIds: string[];
      startedAt: string;
      /** The policy the run judges under (a partial report names it too); absent: the default. */
      policy?: PolicyName;
    }
  | { type: 'check-start'; id: string }
  | { type: 'check-end'; result: CheckResult }
  | { type: 'run-end'; report: Report };
