/**
 * The `audit` and `audit-spa` suites: `login-harness audit` as a user runs it (a new process through
 * bin/login-harness.mjs, CLI start included), against examples/reference-web (the default target, goal
 * 2 s) or examples/reference-spa (goal 10 s). Each run's wall time is measured from outside; the
 * per-phase breakdown comes from the report's own `timings` (reports/model.ts). Prints the median of
 * every phase and of the slowest checks, with the load average, so a figure taken on a busy machine
 * says so.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema, type Report } from '../../reports/model.js';
import type { BenchResult, BenchSuite } from '../types.js';

/** Audits per suite run. */
const RUNS = 3;
/** Checks listed with their breakdown, slowest first (by median). */
const SLOWEST = 8;

const BIN = fileURLToPath(new URL('../../bin/login-harness.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Median of `xs` (0 for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A phase's label: its name, and the check it belongs to (`environment pkce.downgrade-metadata`). */
function phaseLabel(p: { name: string; check?: string }): string {
  return p.check ? `${p.name} ${p.check}` : p.name;
}

/** What one audit run gave: wall time seen from outside and the report's timings. */
export interface AuditRun {
  wallMs: number;
  report: Report;
}

/**
 * Medians over runs: wall time, every phase (by label, in the order of the first run) and the
 * slowest checks' breakdowns.
 */
export function summarizeRuns(runs: readonly AuditRun[]): {
  wallMs: number;
  phases: Array<{ phase: string; startMs: number; durationMs: number }>;
  checks: Array<{
    id: string;
    durationMs: number;
    setupMs: number;
    sessionMs: number;
    loginMs: number;
    waitMs: number;
  }>;
} {
  const labels = [...new Set(runs.flatMap((r) => (r.report.timings?.phases ?? []).map(phaseLabel)))];
  const phases = labels.map((phase) => {
    const of = runs.flatMap((r) => (r.report.timings?.phases ?? []).filter((p) => phaseLabel(p) === phase));
    return {
      phase,
      startMs: Math.round(median(of.map((p) => p.startMs))),
      durationMs: Math.round(median(of.map((p) => p.durationMs))),
    };
  });
  const ids = [...new Set(runs.flatMap((r) => (r.report.timings?.checks ?? []).map((c) => c.id)))];
  const checks = ids
    .map((id) => {
      const of = runs.flatMap((r) => (r.report.timings?.checks ?? []).filter((c) => c.id === id));
      const m = (k: 'durationMs' | 'setupMs' | 'sessionMs' | 'loginMs' | 'waitMs'): number =>
        Math.round(median(of.map((c) => c[k])));
      return {
        id,
        durationMs: m('durationMs'),
        setupMs: m('setupMs'),
        sessionMs: m('sessionMs'),
        loginMs: m('loginMs'),
        waitMs: m('waitMs'),
      };
    })
    .sort((a, b) => b.durationMs - a.durationMs);
  return { wallMs: Math.round(median(runs.map((r) => r.wallMs))), phases, checks };
}

function verdictCounts(report: Report): string {
  const counts: Record<string, number> = {};
  for (const r of report.results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return Object.entries(counts)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
}

/** Runs `login-harness audit` once in a new process and reads its JSON report. */
async function auditOnce(manifest: string | undefined, outDir: string): Promise<AuditRun> {
  const args = [BIN, 'audit', ...(manifest ? [manifest] : []), '--quiet', '--format', 'json', '--out', outDir];
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    // Exit code 1 (findings) is a finished audit; anything else is a broken run.
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err) => {
      const code = (err as { code?: number } | null)?.code;
      if (err && code !== 1) reject(err);
      else resolve();
    });
  });
  const wallMs = performance.now() - t0;
  const report = ReportSchema.parse(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')));
  return { wallMs, report };
}

function auditSuite(name: string, target: string, manifest: string | undefined, goalMs: number): BenchSuite {
  return {
    name,
    description: `\`login-harness audit\` of ${target} in a new process, ${RUNS} runs (goal <= ${goalMs / 1000} s)`,
    async run({ log }): Promise<BenchResult> {
      const loadBefore = os.loadavg();
      const runs: AuditRun[] = [];
      const dir = await mkdtemp(join(os.tmpdir(), 'lh-bench-audit-'));
      try {
        for (let i = 1; i <= RUNS; i++) {
          const run = await auditOnce(manifest, join(dir, String(i)));
          runs.push(run);
          log(
            `run ${i}/${RUNS}: ${(run.wallMs / 1000).toFixed(2)} s wall, ${run.report.results.length} checks (${verdictCounts(run.report)}), load ${os
              .loadavg()
              .map((l) => l.toFixed(2))
              .join(' ')}`,
          );
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const loadAfter = os.loadavg();
      const s = summarizeRuns(runs);
      const secs = (ms: number): string => (ms / 1000).toFixed(2);
      const table = [
        `${target}: median wall ${secs(s.wallMs)} s over ${RUNS} runs (goal <= ${secs(goalMs)} s: ${s.wallMs <= goalMs ? 'met' : 'not met'}); load average ${loadBefore[0].toFixed(2)} -> ${loadAfter[0].toFixed(2)} on ${os.cpus().length} CPUs`,
        '',
        '| phase | starts at ms | median ms |',
        '| --- | --: | --: |',
        ...s.phases.map((p) => `| ${p.phase} | ${p.startMs} | ${p.durationMs} |`),
        '',
        '| slowest checks | ms | setup | sessions | logins | waits |',
        '| --- | --: | --: | --: | --: | --: |',
        ...s.checks
          .slice(0, SLOWEST)
          .map((c) => `| ${c.id} | ${c.durationMs} | ${c.setupMs} | ${c.sessionMs} | ${c.loginMs} | ${c.waitMs} |`),
      ].join('\n');
      return {
        table,
        json: {
          target,
          goalMs,
          runs: runs.map((r) => ({
            wallMs: Math.round(r.wallMs),
            durationMs: r.report.durationMs,
            verdicts: verdictCounts(r.report),
            timings: r.report.timings,
          })),
          median: s,
          machine: {
            cpus: os.cpus().length,
            loadavgBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
            loadavgAfter: loadAfter.map((l) => Math.round(l * 100) / 100),
            node: process.version,
          },
        },
      };
    },
  };
}

/** `npm run bench -- audit`: the default target (reference-web). */
export const webAuditSuite: BenchSuite = auditSuite('audit', 'reference-web', undefined, 2_000);

/** `npm run bench -- audit-spa`: the reference SPA, every check in Chromium. */
export const spaAuditSuite: BenchSuite = auditSuite(
  'audit-spa',
  'reference-spa',
  fileURLToPath(new URL('../../examples/reference-spa/target.json', import.meta.url)),
  10_000,
);

export default webAuditSuite;
