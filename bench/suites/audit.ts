/**
 * The `audit`, `audit-spa` and `provider-audit` suites: an audit as a user runs it (a new process
 * through bin/login-harness.mjs, CLI start included): `login-harness audit` against
 * examples/reference-web (the default target, goal 2 s) or examples/reference-spa (goal 10 s), and
 * `login-harness audit-provider` against the embedded mock (goal 1 s). The default target's audit is
 * also run through npx, `npx login-harness audit` in the checkout, the README's quick start as typed
 * (goal 2 s as well): npm's launcher then loads npm, and, since the checkout's own package has the
 * command as its `bin`, reads the checkout's dependency tree before it starts the CLI. Each run's wall
 * time is measured from outside, its CPU time from the kernel's accounting of the reaped process
 * (bench/command.ts); the per-phase breakdown comes from the report's own `timings` (reports/model.ts).
 * Prints the median of every phase and of the slowest checks, with the load average, so a figure taken
 * on a busy machine says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema, type Report } from '../../reports/model.js';
import { findNpxScript, load1, meanCpuSeconds, median, roundedLoad, timeNode, type CpuSource } from '../command.js';
import { goalOf, meets, type GoalMeasurement } from '../goals.js';
import type { BenchResult, BenchSuite } from '../types.js';
import {
  browserDocuments,
  browserFloorSeconds,
  loginFloorSeconds,
  spaLoginCosts,
  type SpaLoginCosts,
} from '../browser-floor.js';

/** Audits per suite run, unless `--runs` says otherwise. */
const RUNS = 3;
/** Checks listed with their breakdown, slowest first (by median). */
const SLOWEST = 8;

const BIN = fileURLToPath(new URL('../../bin/login-harness.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A phase's label: its name, and the check it belongs to (`environment pkce.downgrade-metadata`). */
function phaseLabel(p: { name: string; check?: string }): string {
  return p.check ? `${p.name} ${p.check}` : p.name;
}

/** What one audit run gave: wall time seen from outside, CPU time and the report's timings. */
export interface AuditRun {
  wallMs: number;
  /** User + system CPU of the audit's process and every process it started, ms (see bench/command.ts). */
  cpuMs?: number;
  cpuSource?: CpuSource;
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

/**
 * The shortest wall time `cpuSeconds` of CPU work can take on `cpus` CPUs, however it is spread over
 * processes and threads: the floor below which no scheduling gets a run whose work stays the same.
 * Undefined without a CPU figure.
 */
export function cpuFloorSeconds(cpuSeconds: number | undefined, cpus: number): number | undefined {
  if (cpuSeconds === undefined || !Number.isFinite(cpuSeconds) || cpuSeconds < 0 || cpus < 1) return undefined;
  return cpuSeconds / cpus;
}

function verdictCounts(report: Report): string {
  const counts: Record<string, number> = {};
  for (const r of report.results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return Object.entries(counts)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
}

/** How {@link launcherMs} is taken, as the figures say it. */
const PAIRED = '(median of the paired differences)';

/** What the suite's JSON keeps of one run. */
function runJson(r: AuditRun): Record<string, unknown> {
  return {
    wallMs: Math.round(r.wallMs),
    cpuMs: r.cpuMs,
    cpuSource: r.cpuSource,
    durationMs: r.report.durationMs,
    verdicts: verdictCounts(r.report),
  };
}

/**
 * The CLI's arguments for one audit run writing its JSON report to `outDir`: `command` (`audit` or
 * `audit-provider`) with `extra` arguments, quiet, JSON only; the same whichever launcher starts it.
 */
function cliArgs(command: 'audit' | 'audit-provider', extra: readonly string[], outDir: string): string[] {
  return [command, ...extra, '--quiet', '--format', 'json', '--out', outDir];
}

/** node's arguments for one audit run (see {@link cliArgs}), through bin/login-harness.mjs. */
export function auditArgs(command: 'audit' | 'audit-provider', extra: readonly string[], outDir: string): string[] {
  return [BIN, ...cliArgs(command, extra, outDir)];
}

/**
 * node's arguments for the same audit through npx, as the README's quick start types it
 * (`npx login-harness audit`), run in the checkout: `npx` is npm's script `npxScript`.
 */
export function npxAuditArgs(
  npxScript: string,
  command: 'audit' | 'audit-provider',
  extra: readonly string[],
  outDir: string,
): string[] {
  return [npxScript, 'login-harness', ...cliArgs(command, extra, outDir)];
}

/**
 * What npx adds to a run: the median over rounds of the npx run's wall time minus the direct run's of
 * the same round (the two run back to back, so both see about the same load); `undefined` without a pair.
 */
export function launcherMs(direct: readonly AuditRun[], viaNpx: readonly AuditRun[]): number | undefined {
  const n = Math.min(direct.length, viaNpx.length);
  if (n === 0) return undefined;
  return median(Array.from({ length: n }, (_, i) => viaNpx[i].wallMs - direct[i].wallMs));
}

/** Runs one audit in a new process and reads its JSON report. */
async function auditOnce(args: string[], outDir: string): Promise<AuditRun> {
  const run = await timeNode(args, ROOT);
  // Exit code 1 (findings) is a finished audit; anything else is a broken run.
  if (run.code !== 0 && run.code !== 1) {
    throw new Error(
      `${args.slice(1, 2).join(' ')} exited with ${String(run.code)}: ${run.stderr.trim().split('\n').slice(-5).join(' / ')}`,
    );
  }
  const report = ReportSchema.parse(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')));
  return {
    wallMs: run.wallMs,
    ...(run.cpuMs !== undefined ? { cpuMs: run.cpuMs, cpuSource: run.cpuSource } : {}),
    report,
  };
}

/** What an audit suite runs and what it is judged by. */
interface AuditSuiteSpec {
  name: string;
  /** What is audited, as printed. */
  target: string;
  command: 'audit' | 'audit-provider';
  /** Arguments after the command (a manifest, ...). */
  extra: readonly string[];
  /** Its figure in bench/goals.ts, which holds the goal. */
  goalKey: string;
  defaultRuns: number;
  /**
   * Also measure the browser's floor (bench/browser-floor.ts): logins of the reference SPA, bare and in a
   * context of the harness's pool.
   */
  browserFloor?: boolean;
  /**
   * Also run the audit through npx (`npx login-harness ...` in the checkout, as the README's quick start
   * does), one such run next to each direct run, and report it as this figure of bench/goals.ts.
   */
  npxGoalKey?: string;
}

/** Logins of each kind (bare, pooled) measured for the browser floor, after a warm-up of three of each. */
const FLOOR_LOGINS = 10;

function auditSuite(spec: AuditSuiteSpec): BenchSuite {
  const { name, target } = spec;
  const goal = goalOf(spec.goalKey);
  return {
    name,
    description:
      `\`login-harness ${spec.command}\` of ${target} in a new process, ${spec.defaultRuns} runs unless --runs (goal ${goal.op} ${goal.value} s)` +
      (spec.npxGoalKey ? `, each next to the same audit through npx (goal ${goalOf(spec.npxGoalKey).value} s)` : ''),
    async run({ log, runs: count = spec.defaultRuns, signal }): Promise<BenchResult> {
      const loadBefore = os.loadavg();
      const runs: AuditRun[] = [];
      const npxRuns: AuditRun[] = [];
      const npxScript = spec.npxGoalKey ? findNpxScript() : undefined;
      if (spec.npxGoalKey && !npxScript) log('no npx script on PATH: the run through npx is not measured');
      const dir = await mkdtemp(join(os.tmpdir(), 'lh-bench-audit-'));
      const logRun = (label: string, run: AuditRun): void =>
        log(
          `${label}: ${(run.wallMs / 1000).toFixed(2)} s wall, ${run.cpuMs !== undefined ? `${(run.cpuMs / 1000).toFixed(2)} s CPU, ` : ''}${run.report.results.length} checks (${verdictCounts(run.report)}), load ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
        );
      try {
        for (let i = 1; i <= count && !signal?.aborted; i++) {
          const direct = async (): Promise<void> => {
            const out = join(dir, String(i));
            const run = await auditOnce(auditArgs(spec.command, spec.extra, out), out);
            runs.push(run);
            logRun(`run ${i}/${count}`, run);
          };
          const viaNpx = async (): Promise<void> => {
            if (!npxScript) return;
            const out = join(dir, `npx-${i}`);
            const run = await auditOnce(npxAuditArgs(npxScript, spec.command, spec.extra, out), out);
            npxRuns.push(run);
            logRun(`run ${i}/${count} through npx`, run);
          };
          // Alternating which goes first, so neither always meets the other's after-effects.
          if (i % 2 === 1) {
            await direct();
            await viaNpx();
          } else {
            await viaNpx();
            await direct();
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      if (runs.length === 0) throw new Error('stopped before the first run');
      const loadAfter = os.loadavg();
      const s = summarizeRuns(runs);
      const cpuSeconds = meanCpuSeconds(runs);
      const floor = cpuFloorSeconds(cpuSeconds, os.cpus().length);
      const floorText =
        floor !== undefined ? `; that CPU on ${os.cpus().length} CPUs takes at least ${floor.toFixed(2)} s` : '';
      const secs = (ms: number): string => (ms / 1000).toFixed(2);
      let browser:
        { costs: SpaLoginCosts; documents: number; floorSeconds: number; pooledFloorSeconds: number } | undefined;
      if (spec.browserFloor && !signal?.aborted) {
        // The audits' figures stand without it: a floor that cannot be measured is said, not fatal.
        const costs = await spaLoginCosts({ logins: FLOOR_LOGINS }).catch((error: unknown) => {
          log(`the browser floor was not measured: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        });
        if (costs) {
          const documents = median(runs.map((r) => browserDocuments(r.report)));
          const cpus = os.cpus().length;
          browser = {
            costs,
            documents,
            floorSeconds: browserFloorSeconds(costs.bare, documents, cpus),
            pooledFloorSeconds: loginFloorSeconds(costs.pooled, documents, cpus),
          };
          for (const [kind, cost] of [
            ['bare login', costs.bare],
            ["login in the harness's pooled context", costs.pooled],
          ] as const) {
            log(
              `${kind} in Chromium: ${cost.chromiumMsPerLogin.toFixed(0)} ms of Chromium's CPU, ` +
                `${cost.driverMsPerLogin.toFixed(0)} ms of this process's (${cost.logins} logins)`,
            );
          }
        }
      }
      const browserText = browser
        ? `; Chromium alone spends ${browser.costs.bare.chromiumMsPerLogin.toFixed(0)} ms of CPU on a bare login (two pages), ` +
          `and the audit loads ${browser.documents} pages: at least ${browser.floorSeconds.toFixed(2)} s on ` +
          `${os.cpus().length} CPUs for the browser's own work; in a context of the harness's pool (its route, ` +
          `listeners, paused document responses, init scripts and reset, no check attached) a login costs ` +
          `${browser.costs.pooled.chromiumMsPerLogin.toFixed(0)} ms of Chromium's CPU and ` +
          `${browser.costs.pooled.driverMsPerLogin.toFixed(0)} ms of the driving process's (bare: ` +
          `${browser.costs.bare.driverMsPerLogin.toFixed(0)} ms): the audit's logins alone then take at least ` +
          `${browser.pooledFloorSeconds.toFixed(2)} s`
        : '';
      const table = [
        `${target}: median wall ${secs(s.wallMs)} s over ${runs.length} runs (goal ${goal.op} ${goal.value.toFixed(2)} s: ${meets(s.wallMs / 1000, goal) ? 'met' : 'not met'})${cpuSeconds !== undefined ? `, mean CPU ${cpuSeconds.toFixed(2)} s${floorText}` : ''}; load average ${loadBefore[0].toFixed(2)} -> ${loadAfter[0].toFixed(2)} on ${os.cpus().length} CPUs${browserText}`,
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
      ];
      const goals: GoalMeasurement[] = [
        {
          key: spec.goalKey,
          value: s.wallMs / 1000,
          detail: `${runs.length} runs, ${runs[0].report.results.length} checks${floorText}${browserText}`,
          ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
          load: { before: load1(loadBefore), after: load1(loadAfter) },
        },
      ];
      let npx: { wallMs: number; cpuSeconds?: number; launcherMs?: number } | undefined;
      if (spec.npxGoalKey && npxRuns.length > 0) {
        const npxCpu = meanCpuSeconds(npxRuns);
        npx = {
          wallMs: Math.round(median(npxRuns.map((r) => r.wallMs))),
          ...(npxCpu !== undefined ? { cpuSeconds: npxCpu } : {}),
          launcherMs: launcherMs(runs, npxRuns),
        };
        const npxGoal = goalOf(spec.npxGoalKey);
        table.push(
          '',
          `through npx (\`npx login-harness ${spec.command}\` in the checkout, as the README's quick start runs it): ` +
            `median wall ${secs(npx.wallMs)} s over ${npxRuns.length} runs (goal ${npxGoal.op} ${npxGoal.value.toFixed(2)} s: ` +
            `${meets(npx.wallMs / 1000, npxGoal) ? 'met' : 'not met'})` +
            `${npx.cpuSeconds !== undefined ? `, mean CPU ${npx.cpuSeconds.toFixed(2)} s` : ''}` +
            `${npx.launcherMs !== undefined ? `; npm's launcher adds ${secs(npx.launcherMs)} s to a run ${PAIRED}` : ''}`,
        );
        goals.push({
          key: spec.npxGoalKey,
          value: npx.wallMs / 1000,
          detail:
            `${npxRuns.length} runs through npx, each next to a direct run` +
            (npx.launcherMs !== undefined ? `; npm's launcher adds ${secs(npx.launcherMs)} s ${PAIRED}` : ''),
          ...(npx.cpuSeconds !== undefined ? { cpuSeconds: npx.cpuSeconds } : {}),
          load: { before: load1(loadBefore), after: load1(loadAfter) },
        });
      }
      return {
        table: table.join('\n'),
        goals,
        json: {
          target,
          command: spec.command,
          goal,
          runs: runs.map((r) => ({ ...runJson(r), timings: r.report.timings })),
          median: s,
          meanCpuSeconds: cpuSeconds,
          ...(npx
            ? {
                npx: {
                  ...npx,
                  runs: npxRuns.map(runJson),
                },
              }
            : {}),
          ...(floor !== undefined ? { cpuFloorSeconds: Math.round(floor * 1000) / 1000 } : {}),
          ...(browser
            ? {
                browserFloor: {
                  bareLogin: browser.costs.bare,
                  pooledLogin: browser.costs.pooled,
                  documents: browser.documents,
                  seconds: Math.round(browser.floorSeconds * 1000) / 1000,
                  pooledLoginsSeconds: Math.round(browser.pooledFloorSeconds * 1000) / 1000,
                },
              }
            : {}),
          machine: {
            cpus: os.cpus().length,
            loadavgBefore: roundedLoad(loadBefore),
            loadavgAfter: roundedLoad(loadAfter),
            node: process.version,
          },
        },
      };
    },
  };
}

/** `npm run bench -- audit`: the default target (reference-web). */
export const webAuditSuite: BenchSuite = auditSuite({
  name: 'audit',
  target: 'reference-web',
  command: 'audit',
  extra: [],
  goalKey: 'audit.web.wall',
  defaultRuns: RUNS,
  npxGoalKey: 'audit.web.npx',
});

/** `npm run bench -- audit-spa`: the reference SPA, every check in Chromium. */
export const spaAuditSuite: BenchSuite = auditSuite({
  name: 'audit-spa',
  target: 'reference-spa',
  command: 'audit',
  extra: [fileURLToPath(new URL('../../examples/reference-spa/target.json', import.meta.url))],
  goalKey: 'audit.spa.wall',
  defaultRuns: RUNS,
  browserFloor: true,
});

/** `npm run bench -- provider-audit`: `audit-provider` with no `--discovery`, i.e. the embedded mock. */
export const providerAuditSuite: BenchSuite = auditSuite({
  name: 'provider-audit',
  target: 'the embedded mock (lexoffice profile)',
  command: 'audit-provider',
  extra: [],
  goalKey: 'provider-audit.wall',
  defaultRuns: 5,
});

export default webAuditSuite;
