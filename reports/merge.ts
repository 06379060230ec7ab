/**
 * `login-harness merge`: joins the reports of the shards of one audit into one report, as if the
 * audit had run in one job. The reports must be of the same audit (target, mode, seed, schema).
 */
import { buildReport } from './build.js';
import { UsageError } from './errors.js';
import type { CheckResult, Report } from './model.js';

/** Options of {@link mergeReports}. */
export interface MergeOptions {
  /** Check ids in catalog order; results are sorted by it (ids not in it follow, by id). Default: by id. */
  order?: readonly string[];
}

const STATUS_WEIGHT: Record<Report['status'], number> = { complete: 0, interrupted: 1, deadline: 2, crashed: 3 };

function sameTarget(a: Report['target'], b: Report['target']): boolean {
  // The manifest path may differ between CI jobs (checkout folders); the target is the same.
  return a.name === b.name && a.kind === b.kind && a.profile === b.profile;
}

/**
 * Merges shard reports. The status is the worst of the inputs; the times span all of them.
 *
 * @throws UsageError (`incompatible-reports`) when the reports are of different audits, when a check
 * appears twice, or when shard reports do not cover every shard.
 */
export function mergeReports(reports: readonly Report[], opts: MergeOptions = {}): Report {
  if (reports.length === 0) throw new UsageError('merge: at least one report is needed');
  const [first] = reports;
  reports.forEach((r, i) => {
    const problems: string[] = [];
    if (!sameTarget(r.target, first.target))
      problems.push(`target ${JSON.stringify(r.target.name)} differs from ${JSON.stringify(first.target.name)}`);
    if (r.seed !== first.seed) problems.push(`seed ${r.seed} differs from ${first.seed}`);
    if (r.mode !== first.mode) problems.push(`mode ${r.mode} differs from ${first.mode}`);
    // Shards of one audit are judged under one policy; results judged under different ones do not add up.
    if (r.policy !== first.policy) problems.push(`policy ${r.policy} differs from ${first.policy}`);
    if (r.schemaVersion !== first.schemaVersion)
      problems.push(`schema ${r.schemaVersion} differs from ${first.schemaVersion}`);
    if (problems.length)
      throw new UsageError(`merge: report ${i + 1}: ${problems.join('; ')}`, { code: 'incompatible-reports' });
  });

  const shards = reports.map((r) => r.shard).filter((s): s is NonNullable<Report['shard']> => s !== undefined);
  if (shards.length === reports.length) {
    const count = shards[0].count;
    if (shards.some((s) => s.count !== count))
      throw new UsageError('merge: the reports are from splits with different shard counts', {
        code: 'incompatible-reports',
      });
    const seen = new Set<number>();
    for (const s of shards) {
      if (seen.has(s.index))
        throw new UsageError(`merge: shard ${s.index}/${count} is given twice`, { code: 'incompatible-reports' });
      seen.add(s.index);
    }
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length) {
      throw new UsageError(
        `merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
        { code: 'incompatible-reports' },
      );
    }
  }

  const byId = new Map<string, { result: CheckResult; from: number }>();
  reports.forEach((r, i) => {
    for (const result of r.results) {
      const prior = byId.get(result.id);
      if (prior)
        throw new UsageError(`merge: check ${result.id} is in report ${prior.from + 1} and report ${i + 1}`, {
          code: 'incompatible-reports',
        });
      byId.set(result.id, { result, from: i });
    }
  });
  const rank = new Map((opts.order ?? []).map((id, i) => [id, i]));
  const results = [...byId.values()]
    .map((x) => x.result)
    .sort((a, b) => {
      const ra = rank.get(a.id);
      const rb = rank.get(b.id);
      if (ra !== undefined && rb !== undefined) return ra - rb;
      if (ra !== undefined) return -1;
      if (rb !== undefined) return 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });

  const startedAt = reports.map((r) => r.startedAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  const finishedAt = reports.map((r) => r.finishedAt).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  const status = reports.map((r) => r.status).reduce((a, b) => (STATUS_WEIGHT[b] > STATUS_WEIGHT[a] ? b : a));
  const merged = buildReport({
    mode: first.mode,
    target: first.target,
    seed: first.seed,
    policy: first.policy,
    startedAt,
    finishedAt,
    status,
    results,
  });
  // Keep the version of the tool that produced the shards.
  return { ...merged, tool: first.tool };
}
