/**
 * The baseline file: findings a team has looked at and accepted for a while, each with a reason and an
 * expiry date. An accepted finding no longer fails the gate; once its date has passed, it counts again.
 *
 * ```json
 * { "version": 1, "entries": [{ "check": "leak.logs", "target": "acme-invoicing",
 *   "justification": "log scrubbing ships in 4.2", "expires": "2027-01-31", "policy": "rfc9700" }] }
 * ```
 *
 * `policy` is the policy the finding was judged under when it was accepted (the report's `policy`). A
 * run under another policy still honours the entry when the finding is no worse there than it was
 * under the entry's policy (a `fail` accepted under `strict` also covers the `warn` the default policy
 * makes of it), but not when it is worse (a `warn` accepted under `rfc9700` does not cover the `fail`
 * of `strict`); the gate reports every entry applied across policies (see gate.ts). An entry without
 * `policy` was written before policies existed and accepts the finding under any policy.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { PolicyNameSchema } from './model.js';
import { formatZodIssues } from './zod-error.js';

/** One accepted finding. `expires` is the last day (UTC) on which the entry counts. */
export const BaselineEntrySchema = z.strictObject({
  check: z.string().min(1, 'a check id is required'),
  target: z.string().min(1, 'a target name is required'),
  justification: z.string().trim().min(1, 'say why the finding is accepted'),
  expires: z.iso.date('expected a date as YYYY-MM-DD'),
  /** The policy the finding was judged under when it was accepted; absent: any policy. */
  policy: PolicyNameSchema.optional(),
});

/** A baseline file, version 1. */
export const BaselineSchema = z.strictObject({
  version: z.literal(1),
  entries: z.array(BaselineEntrySchema),
});

export type BaselineEntry = z.infer<typeof BaselineEntrySchema>;
export type Baseline = z.infer<typeof BaselineSchema>;

/**
 * Validates a parsed baseline; `source` names the file in the error.
 *
 * @throws UsageError (`invalid-baseline`) naming the JSON path of every problem.
 */
export function parseBaseline(value: unknown, source = 'baseline'): Baseline {
  const parsed = BaselineSchema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(`${source}: invalid baseline: ${formatZodIssues(parsed.error)}`, { code: 'invalid-baseline' });
  }
  return parsed.data;
}

/**
 * Reads and validates a baseline file.
 *
 * @throws UsageError (`invalid-baseline`) when the file cannot be read, is not JSON, or does not fit
 * {@link BaselineSchema}; the message names the file and the JSON path.
 */
export async function loadBaseline(path: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read baseline: ${(err as Error).message}`, { code: 'invalid-baseline' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: baseline is not JSON: ${(err as Error).message}`, { code: 'invalid-baseline' });
  }
  return parseBaseline(value, path);
}

/**
 * True when the entry no longer counts at `now`: its `expires` day (UTC) has ended. An entry that
 * expires on 2027-01-31 still counts throughout that day.
 */
export function isExpired(entry: BaselineEntry, now: Date): boolean {
  const endOfDay = Date.parse(`${entry.expires}T00:00:00.000Z`) + 24 * 60 * 60 * 1000;
  return now.getTime() >= endOfDay;
}
