/**
 * The generic check executor shared by client and provider audits. It knows nothing of targets or
 * providers: it runs `ExecItem`s concurrently, enforces the per-check timeout and the whole-run
 * deadline, and turns what each check observed into a redacted `CheckResult`.
 *
 * Verdict rules (TARGETS.md §5): only `pass` means the behaviour was observed to be right, so every
 * way a check can end without having observed something (timeout, deadline, thrown error, no
 * observation recorded) ends in `error`, never `pass`.
 */
import { LoginHarnessError } from '../../core/errors.js';
import {
  checkedTranscript,
  ErrorKindSchema,
  VerdictSchema,
  type CheckResult,
  type ErrorKind,
  type Reference,
  type RunnerEvent,
  type Severity,
  type TranscriptEntryModel,
} from '../../reports/model.js';
import type { CheckMeta, Observation, Outcome } from '../check.js';
import { attachRequirement } from '../verdicts/judge.js';
import { CheckRunError } from './errors.js';

export { CheckRunError };

/** One check as the executor runs it: its metadata, its effective severity and its body. */
export interface ExecItem {
  meta: CheckMeta & { fault?: string };
  /** The check's specification references, resolved (the catalog resolves them). */
  references: Reference[];
  /** Effective severity (after per-run overrides). */
  severity: Severity;
  /** This check's timeout when it differs from the run's `checkTimeoutMs` (e.g. checks driving a browser). */
  timeoutMs?: number;
  /**
   * Started before the items without it (in their order among themselves): a check that mostly waits
   * (ClientCheck.waitsForClientClock). Results stay in the items' order.
   */
  startsEarly?: boolean;
  run(ctx: ExecContext): Promise<Outcome>;
}

/** What a check body gets from the executor. */
export interface ExecContext {
  /** Records an observation; a check that records none and claims pass/fail/warn ends in `error`. */
  observe(text: string, data?: unknown): void;
  /** Adds exchanges (user agent, driver, provider) to this check's evidence. */
  addTranscript(entries: TranscriptEntryModel[]): void;
  /** Aborted when the check times out, the run deadline passes or the run is interrupted. */
  signal: AbortSignal;
}

/** Options of {@link executeChecks}. */
export interface ExecuteOptions {
  /** How many checks run at the same time (at least 1). */
  concurrency: number;
  /** Per-check timeout in ms: a check still running then ends in `error`. */
  checkTimeoutMs: number;
  /** Absolute time (ms since the epoch, on `clock`) after which no check starts and running ones end in `error`. */
  deadline?: number;
  /** Applied to every summary, observation and transcript string before it is kept. */
  redact(text: string): string;
  /** Observer of runner events (`check-start`, `check-end`). */
  onEvent?(e: RunnerEvent): void;
  /** Time source for `startedAt`/`durationMs` and the deadline. Default `Date.now`. */
  clock?: () => number;
  /** Aborting it interrupts the run: running checks are abandoned, no new check starts. */
  signal?: AbortSignal;
}

/** How a run of the executor ended. */
export type ExecutionStatus = 'complete' | 'deadline' | 'interrupted';

/** Results plus how the run ended. */
export interface ExecutionOutcome {
  /**
   * One result per item, in the items' order. When the run was interrupted, only the checks that
   * finished are present (still in the items' order).
   */
  results: CheckResult[];
  status: ExecutionStatus;
}

/**
 * Runs the checks and returns one result per check in the items' order (whatever order they finished
 * in, so the same verdicts give the same report).
 */
export async function executeChecks(
  items: ExecItem[],
  opts: {
    concurrency: number;
    checkTimeoutMs: number;
    deadline?: number;
    redact(text: string): string;
    onEvent?(e: RunnerEvent): void;
    clock?: () => number;
    signal?: AbortSignal;
  },
): Promise<CheckResult[]> {
  return (await executeChecksDetailed(items, opts)).results;
}

/** {@link executeChecks}, also telling whether the run completed, hit its deadline or was interrupted. */
export async function executeChecksDetailed(items: ExecItem[], opts: ExecuteOptions): Promise<ExecutionOutcome> {
  const clock = opts.clock ?? Date.now;
  const results: Array<CheckResult | undefined> = new Array(items.length);
  const runAbort = new AbortController();
  let deadlineReached = false;
  let interrupted = false;

  const onInterrupt = (): void => {
    interrupted = true;
    runAbort.abort(new CheckRunError('the run was interrupted', 'harness', 'run-interrupted'));
  };
  if (opts.signal?.aborted) onInterrupt();
  else opts.signal?.addEventListener('abort', onInterrupt, { once: true });

  let deadlineTimer: NodeJS.Timeout | undefined;
  if (opts.deadline !== undefined) {
    const fire = (): void => {
      deadlineReached = true;
      runAbort.abort(new CheckRunError('the run deadline passed', 'harness', 'run-deadline'));
    };
    const remaining = opts.deadline - clock();
    if (remaining <= 0) fire();
    else deadlineTimer = setTimeout(fire, remaining);
  }

  // The order items start in: those that start early first, each group in the items' order.
  const starts = [...items.keys()].sort((a, b) => Number(!items[a].startsEarly) - Number(!items[b].startsEarly));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = starts[next++];
      const item = items[index];
      if (interrupted) return;
      if (deadlineReached || (opts.deadline !== undefined && clock() >= opts.deadline)) {
        deadlineReached = true;
        const now = clock();
        const result = buildResult(item, opts.redact, {
          outcome: {
            verdict: 'error',
            errorKind: 'harness',
            summary: 'Not run: the run deadline passed before it started.',
          },
          observations: [],
          transcript: [],
          startedAt: now,
          finishedAt: now,
        });
        results[index] = result;
        opts.onEvent?.({ type: 'check-start', id: item.meta.id });
        opts.onEvent?.({ type: 'check-end', result });
        continue;
      }
      opts.onEvent?.({ type: 'check-start', id: item.meta.id });
      const result = await runOne(item, opts, clock, runAbort.signal);
      if (interrupted) return; // abandoned mid-run: not a finished result
      results[index] = result;
      opts.onEvent?.({ type: 'check-end', result });
    }
  };

  try {
    const workers = Math.max(1, Math.min(Math.floor(opts.concurrency) || 1, items.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    opts.signal?.removeEventListener('abort', onInterrupt);
  }

  const finished = results.filter((r): r is CheckResult => r !== undefined);
  return { results: finished, status: interrupted ? 'interrupted' : deadlineReached ? 'deadline' : 'complete' };
}

interface RawRun {
  outcome: Outcome;
  observations: Observation[];
  transcript: TranscriptEntryModel[];
  startedAt: number;
  finishedAt: number;
}

async function runOne(
  item: ExecItem,
  opts: ExecuteOptions,
  clock: () => number,
  runSignal: AbortSignal,
): Promise<CheckResult> {
  const startedAt = clock();
  const observations: Observation[] = [];
  const transcript: TranscriptEntryModel[] = [];
  // Once the check has ended (e.g. timed out), anything it still records is not evidence of this result.
  let open = true;
  const checkAbort = new AbortController();
  const onRunAbort = (): void => checkAbort.abort(runSignal.reason);
  if (runSignal.aborted) onRunAbort();
  else runSignal.addEventListener('abort', onRunAbort, { once: true });

  const ctx: ExecContext = {
    observe(text, data) {
      if (open) observations.push(data === undefined ? { text } : { text, data });
    },
    addTranscript(entries) {
      if (open) transcript.push(...entries);
    },
    signal: checkAbort.signal,
  };

  const timeoutMs = item.timeoutMs ?? opts.checkTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      checkAbort.abort(new CheckRunError(`the check did not finish within ${timeoutMs} ms`, 'target', 'check-timeout'));
    }, timeoutMs);
    const onAbort = (): void => resolve(abortOutcome(checkAbort.signal.reason, timeoutMs));
    if (checkAbort.signal.aborted) onAbort();
    else checkAbort.signal.addEventListener('abort', onAbort, { once: true });
  });

  let outcome: Outcome;
  try {
    const body = Promise.resolve()
      .then(() => item.run(ctx))
      .then(
        (o) => validateOutcome(o, observations.length),
        (err: unknown) => errorOutcome(err),
      );
    outcome = await Promise.race([body, stopped]);
  } finally {
    open = false;
    if (timer) clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
    // Tell a body that is still running (after a timeout) to stop; a finished one ignores it.
    if (!checkAbort.signal.aborted) checkAbort.abort(new CheckRunError('the check ended', 'harness', 'check-ended'));
  }

  return buildResult(item, opts.redact, { outcome, observations, transcript, startedAt, finishedAt: clock() });
}

/** The outcome of a check stopped from outside; the abort reason's code says why it was stopped. */
function abortOutcome(reason: unknown, timeoutMs: number): Outcome {
  if (!(reason instanceof CheckRunError)) {
    return { verdict: 'error', errorKind: 'harness', summary: `Stopped: ${String(reason)}` };
  }
  switch (reason.code) {
    case 'run-deadline':
      return {
        verdict: 'error',
        errorKind: reason.errorKind,
        summary: 'Stopped: the run deadline passed while the check was running.',
      };
    case 'run-interrupted':
      return { verdict: 'error', errorKind: reason.errorKind, summary: 'Stopped: the run was interrupted.' };
    case 'check-timeout':
      return {
        verdict: 'error',
        errorKind: reason.errorKind,
        summary: `Timed out: the check did not finish within ${timeoutMs} ms (the target may be hung).`,
      };
    case 'check-run':
    case 'check-ended':
      return { verdict: 'error', errorKind: reason.errorKind, summary: `Stopped: ${reason.message}` };
  }
}

function errorOutcome(err: unknown): Outcome {
  const kind = errorKindOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { verdict: 'error', errorKind: kind, summary: `The check broke: ${message}` };
}

/**
 * Who broke, for an error a check threw: the errors of the family that carry a kind say it (a check's
 * {@link CheckRunError}, a provider flow that failed, an inconclusive helper); anything else is the
 * harness's.
 */
function errorKindOf(err: unknown): ErrorKind {
  if (!(err instanceof LoginHarnessError) || !('errorKind' in err)) return 'harness';
  const parsed = ErrorKindSchema.safeParse(err.errorKind);
  return parsed.success ? parsed.data : 'harness';
}

function validateOutcome(o: unknown, observationCount: number): Outcome {
  if (typeof o !== 'object' || o === null || !VerdictSchema.safeParse((o as Outcome).verdict).success) {
    return { verdict: 'error', errorKind: 'harness', summary: 'The check returned no valid outcome.' };
  }
  const outcome = o as Outcome;
  const summary = typeof outcome.summary === 'string' ? outcome.summary : '';
  if (outcome.verdict === 'error') {
    return { verdict: 'error', summary, errorKind: outcome.errorKind ?? 'harness' };
  }
  // A check that records nothing is itself an error (OpenID conformance suite): its verdict rests on nothing.
  if (
    (outcome.verdict === 'pass' || outcome.verdict === 'fail' || outcome.verdict === 'warn') &&
    observationCount === 0
  ) {
    return {
      verdict: 'error',
      errorKind: 'harness',
      summary: `The check recorded no observation (it claimed ${outcome.verdict}: ${summary})`,
    };
  }
  return { verdict: outcome.verdict, summary, ...(outcome.requirement ? { requirement: outcome.requirement } : {}) };
}

function buildResult(item: ExecItem, redact: (text: string) => string, raw: RawRun): CheckResult {
  const { meta } = item;
  // One redaction pass over every string of the result: a provider's redaction compiles a pattern of
  // every secret it issued, so calling it once per header value made reporting cost more than the checks.
  const batch = new RedactionBatch();
  const summary = batch.add(raw.outcome.summary);
  const observations = raw.observations.map((o) =>
    o.data === undefined
      ? { text: batch.add(o.text) }
      : { text: batch.add(o.text), data: redactDeep(o.data, (t) => batch.add(t)) },
  );
  const transcript = raw.transcript.map((e) => redactEntry(e, (t) => batch.add(t)));
  const resolve = batch.run(redact);
  const result: CheckResult = {
    id: meta.id,
    title: meta.title,
    severity: item.severity,
    verdict: raw.outcome.verdict,
    summary: resolve(summary),
    references: item.references,
    must: meta.must,
    rationale: meta.rationale,
    remediation: meta.remediation,
    observations: resolveDeep(observations, resolve) as CheckResult['observations'],
    // Checked against the report model now, while other checks run, not all at once when the run ends.
    transcript: checkedTranscript(resolveDeep(transcript, resolve) as TranscriptEntryModel[]),
    startedAt: new Date(raw.startedAt).toISOString(),
    durationMs: Math.max(0, raw.finishedAt - raw.startedAt),
  };
  if (raw.outcome.verdict === 'error') result.errorKind = raw.outcome.errorKind ?? 'harness';
  if (meta.fault !== undefined) result.fault = meta.fault;
  attachRequirement(result, raw.outcome.requirement ?? meta.requirement);
  return result;
}

/** Separates the strings of a batch; no secret or redaction mark contains it. */
const BATCH_SEPARATOR = '\u0000';
/** Marks a placeholder for the n-th string of a batch until the batch has been redacted. */
const PLACEHOLDER_PREFIX = '\u0000lh-redact:';

/**
 * Collects strings, redacts them with a single call (joined by a separator no secret contains, so no
 * match can span two of them and each is redacted exactly as on its own), and hands back the results.
 */
export class RedactionBatch {
  readonly #texts: string[] = [];

  /** Queues `text`; returns a placeholder that {@link RedactionBatch.run}'s resolver replaces. */
  add(text: string): string {
    this.#texts.push(text);
    return `${PLACEHOLDER_PREFIX}${this.#texts.length - 1}`;
  }

  /** Redacts every queued string and returns the resolver from placeholder to redacted text. */
  run(redact: (text: string) => string): (placeholder: string) => string {
    const texts = this.#texts;
    let out: string[];
    if (texts.some((t) => t.includes(BATCH_SEPARATOR))) {
      out = texts.map((t) => redact(t));
    } else {
      out = texts.length === 0 ? [] : redact(texts.join(BATCH_SEPARATOR)).split(BATCH_SEPARATOR);
      // A redactor that removed or added a separator cannot be trusted with the batch: one call each.
      if (out.length !== texts.length) out = texts.map((t) => redact(t));
    }
    return (placeholder) => {
      if (!placeholder.startsWith(PLACEHOLDER_PREFIX)) return placeholder;
      const index = Number(placeholder.slice(PLACEHOLDER_PREFIX.length));
      return out[index] ?? placeholder;
    };
  }
}

/** Replaces every batch placeholder inside a value built by {@link redactDeep}/{@link redactEntry}. */
function resolveDeep(value: unknown, resolve: (placeholder: string) => string): unknown {
  if (typeof value === 'string') return resolve(value);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, resolve));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveDeep(v, resolve);
    return out;
  }
  return value;
}

function redactEntry(e: TranscriptEntryModel, redact: (text: string) => string): TranscriptEntryModel {
  const out: TranscriptEntryModel = {
    seq: e.seq,
    at: e.at,
    agent: e.agent,
    method: e.method,
    url: redact(e.url),
    requestHeaders: redactRecord(e.requestHeaders, redact),
  };
  if (e.requestBody !== undefined) out.requestBody = redact(e.requestBody);
  if (e.status !== undefined) out.status = e.status;
  if (e.responseHeaders !== undefined) out.responseHeaders = redactRecord(e.responseHeaders, redact);
  if (e.responseBody !== undefined) out.responseBody = redact(e.responseBody);
  if (e.note !== undefined) out.note = redact(e.note);
  return out;
}

function redactRecord(r: Record<string, string>, redact: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, redact(v)]));
}

/** Redacts every string inside a JSON-like value; other values are kept, cycles and functions dropped. */
export function redactDeep(value: unknown, redact: (text: string) => string, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, seen));
    if (value instanceof Date) return value.toISOString();
    if (value instanceof URL) return redact(value.href);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = redactDeep(v, redact, seen);
      if (r !== undefined) out[k] = r;
    }
    return out;
  } finally {
    // Only an ancestor makes a cycle; the same object twice side by side is kept twice.
    seen.delete(value);
  }
}
