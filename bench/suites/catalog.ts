/**
 * The `catalog` suite: how long the whole client catalog takes against examples/reference-web, once
 * with the plain HTTP agent (every check that does not need a browser) and once with every check driven
 * in Chromium (each check's agent need set to `browser` through the audit's `catalog` option). Three
 * audits each, in this process through `runClientAudit`, with the CLI's default concurrency; prints
 * median, min and max wall time and the verdict counts, so a fast run that stopped checking shows.
 * CPU time per audit: this process's and that of every process it started meanwhile (targets, Chromium
 * and its helpers), from a control group the benchmark joins for the mode (bench/command.ts,
 * `measureInGroup`); where none can be joined, this process's own plus the children it reaped, which
 * misses Chromium processes nobody reaps (the figure's `cpuSource` says which).
 */
import os from 'node:os';
import { clientChecks } from '../../scenarios/catalog.js';
import type { ClientCheck } from '../../scenarios/types.js';
import type { Report } from '../../reports/model.js';
import { audit, EFFICACY_SEED, REFERENCE_TARGETS } from '../../scripts/efficacy-targets.js';
import { load1, measureInGroup, median, reapedChildrenCpuMs, roundedLoad, type CpuSource } from '../command.js';
import type { BenchSuite } from '../types.js';

/** Audits per mode. */
const RUNS = 3;
/** The CLI's default `--concurrency`. */
const CHECK_CONCURRENCY = 4;

interface ModeResult {
  mode: 'http' | 'browser';
  checks: number;
  runsMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Verdict counts of each run, e.g. `{ pass: 46, warn: 1 }`. */
  verdicts: Array<Record<string, number>>;
  status: string[];
  /** Mean CPU seconds per audit (this process and the processes it started), where readable. */
  cpuSecondsPerAudit?: number;
  /** Where `cpuSecondsPerAudit` comes from. */
  cpuSource?: CpuSource;
  loadavgBefore: number;
  loadavgAfter: number;
}

function counts(report: Report): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of report.results) out[r.verdict] = (out[r.verdict] ?? 0) + 1;
  return out;
}

const suite: BenchSuite = {
  name: 'catalog',
  description: `the whole client catalog against reference-web: HTTP agent and Chromium, ${RUNS} audits each`,
  async run({ log }) {
    const reference = REFERENCE_TARGETS.find((r) => r.name === 'reference-web');
    if (!reference) throw new Error('reference-web is not among the reference targets');
    const httpIds = clientChecks.filter((c) => c.agent === 'default').map((c) => c.id);
    // Every check in Chromium: the runner picks the browser agent for a web target exactly when the
    // check's agent need is `browser` (harness/runner/client-audit.ts, usesBrowser).
    const browserCatalog: ClientCheck[] = clientChecks.map((c) => ({ ...c, agent: 'browser' }));
    const modes: ModeResult[] = [];
    for (const mode of ['http', 'browser'] as const) {
      const result: ModeResult = {
        mode,
        checks: 0,
        runsMs: [],
        medianMs: 0,
        minMs: 0,
        maxMs: 0,
        verdicts: [],
        status: [],
        loadavgBefore: load1(os.loadavg()),
        loadavgAfter: 0,
      };
      const span = await measureInGroup();
      const ownCpu = process.cpuUsage();
      const childCpu = await reapedChildrenCpuMs();
      try {
        for (let i = 1; i <= RUNS; i++) {
          const t0 = performance.now();
          const report = await audit(
            {
              label: `reference-web/${mode}`,
              manifestPath: reference.manifestPath,
              ...(mode === 'http' ? { only: httpIds } : { catalog: browserCatalog }),
            },
            { seed: EFFICACY_SEED, checkConcurrency: CHECK_CONCURRENCY },
          );
          const ms = performance.now() - t0;
          result.checks = report.results.length;
          result.runsMs.push(Math.round(ms));
          result.verdicts.push(counts(report));
          result.status.push(report.status);
          log(
            `${mode} run ${i}/${RUNS}: ${(ms / 1000).toFixed(1)} s, ${report.results.length} checks, ${JSON.stringify(counts(report))}`,
          );
        }
      } catch (err) {
        // Out of the group before the error goes on, so the rest of the benchmark is not counted in it.
        await span?.end();
        throw err;
      }
      const own = process.cpuUsage(ownCpu);
      const childCpuAfter = await reapedChildrenCpuMs();
      if (span) {
        result.cpuSecondsPerAudit = Math.round((await span.read()) / RUNS) / 1000;
        result.cpuSource = 'cgroup';
        await span.end();
      } else if (childCpu !== undefined && childCpuAfter !== undefined) {
        const ms = (own.user + own.system) / 1000 + childCpuAfter - childCpu;
        result.cpuSecondsPerAudit = Math.round(ms / RUNS) / 1000;
        result.cpuSource = 'reaped-children';
      }
      result.loadavgAfter = load1(os.loadavg());
      result.medianMs = Math.round(median(result.runsMs));
      result.minMs = Math.min(...result.runsMs);
      result.maxMs = Math.max(...result.runsMs);
      modes.push(result);
    }
    const s = (ms: number): string => (ms / 1000).toFixed(1);
    const table = [
      '| agent | checks | runs | median s | min s | max s | CPU s/audit | verdicts (last run) |',
      '| --- | --: | --: | --: | --: | --: | --: | --- |',
      ...modes.map(
        (m) =>
          `| ${m.mode} | ${m.checks} | ${m.runsMs.length} | ${s(m.medianMs)} | ${s(m.minMs)} | ${s(m.maxMs)} | ${m.cpuSecondsPerAudit?.toFixed(1) ?? 'n/a'} | ${Object.entries(
            m.verdicts.at(-1) ?? {},
          )
            .map(([v, n]) => `${v} ${n}`)
            .join(', ')} |`,
      ),
    ].join('\n');
    const browser = modes.find((m) => m.mode === 'browser')!;
    return {
      table,
      goals: [
        {
          key: 'catalog.chromium.wall',
          value: browser.medianMs / 1000,
          detail: `${browser.runsMs.length} runs, ${browser.checks} checks, min ${s(browser.minMs)} s, max ${s(browser.maxMs)} s, status ${browser.status.join('/')}`,
          ...(browser.cpuSecondsPerAudit !== undefined ? { cpuSeconds: browser.cpuSecondsPerAudit } : {}),
          load: { before: browser.loadavgBefore, after: browser.loadavgAfter },
        },
      ],
      json: {
        target: 'reference-web',
        seed: EFFICACY_SEED,
        checkConcurrency: CHECK_CONCURRENCY,
        machine: {
          cpus: os.cpus().length,
          loadavg: roundedLoad(os.loadavg()),
          node: process.version,
        },
        modes,
      },
    };
  },
};

export default suite;
