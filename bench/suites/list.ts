/**
 * The `list` suite: the CLI's start-up cost. `login-harness list` (bin/login-harness.mjs, the compiled
 * CLI, printing the check catalog) in a new process against bare `node -e 0`, both measured in the same
 * run, interleaved, so the load falls on both alike. Goal: the command's median wall time at most 3x
 * the bare node's. CPU seconds (the command's process, from the kernel's accounting of reaped children,
 * bench/command.ts) are reported next to it, since they hardly depend on the machine's load.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { load1, meanCpuSeconds, median, roundedLoad, timeNode, type CommandRun } from '../command.js';
import { goalOf, meets, type GoalMeasurement } from '../goals.js';
import type { BenchResult, BenchSuite } from '../types.js';

/** Runs of each command, unless `--runs` says otherwise. */
export const DEFAULT_RUNS = 10;

const BIN = fileURLToPath(new URL('../../bin/login-harness.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The two commands compared: node's arguments for each. */
export const COMMANDS = {
  list: [BIN, 'list'],
  bare: ['-e', '0'],
} as const satisfies Record<string, readonly string[]>;

/** A run that did not end with exit 0 is no start-up measurement: it stops the suite. */
function checked(name: string, run: CommandRun): CommandRun {
  if (run.code !== 0) {
    throw new Error(`${name} exited with ${String(run.code)}: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  }
  return run;
}

/** The figures of `list` against bare node from the runs of each. */
export function summarizeList(
  list: readonly CommandRun[],
  bare: readonly CommandRun[],
): {
  listWallMs: number;
  bareWallMs: number;
  ratio: number;
  listCpuSeconds?: number;
  bareCpuSeconds?: number;
  cpuRatio?: number;
} {
  const listWallMs = median(list.map((r) => r.wallMs));
  const bareWallMs = median(bare.map((r) => r.wallMs));
  const listCpuSeconds = meanCpuSeconds(list);
  const bareCpuSeconds = meanCpuSeconds(bare);
  return {
    listWallMs,
    bareWallMs,
    ratio: listWallMs / bareWallMs,
    ...(listCpuSeconds !== undefined ? { listCpuSeconds } : {}),
    ...(bareCpuSeconds !== undefined ? { bareCpuSeconds } : {}),
    ...(listCpuSeconds !== undefined && bareCpuSeconds !== undefined && bareCpuSeconds > 0
      ? { cpuRatio: listCpuSeconds / bareCpuSeconds }
      : {}),
  };
}

const GOAL = goalOf('list.ratio');

const suite: BenchSuite = {
  name: 'list',
  description: `\`login-harness list\` against bare \`node -e 0\`, each in a new process, interleaved, ${DEFAULT_RUNS} runs unless --runs (goal ${GOAL.op} ${GOAL.value}x)`,
  async run({ runs = DEFAULT_RUNS, log, signal }): Promise<BenchResult> {
    const loadBefore = os.loadavg();
    // One of each first, unmeasured: the first start reads the files from disk, later ones from cache.
    checked('node -e 0', await timeNode(COMMANDS.bare, ROOT));
    const catalog = checked('login-harness list', await timeNode(COMMANDS.list, ROOT));
    if (catalog.stdout.trim() === '') throw new Error('login-harness list printed nothing');
    const list: CommandRun[] = [];
    const bare: CommandRun[] = [];
    for (let i = 0; i < runs && !signal?.aborted; i++) {
      // Alternating which goes first, so neither always runs right after the other.
      const order = i % 2 === 0 ? (['bare', 'list'] as const) : (['list', 'bare'] as const);
      for (const which of order) {
        const run = checked(
          which === 'list' ? 'login-harness list' : 'node -e 0',
          await timeNode(COMMANDS[which], ROOT),
        );
        (which === 'list' ? list : bare).push(run);
      }
      const [l, b] = [list.at(-1)!, bare.at(-1)!];
      log(
        `run ${i + 1}/${runs}: list ${l.wallMs.toFixed(0)} ms (${l.cpuMs ?? '?'} ms CPU), node -e 0 ${b.wallMs.toFixed(0)} ms (${b.cpuMs ?? '?'} ms CPU)`,
      );
    }
    if (list.length === 0) throw new Error('stopped before the first run');
    const loadAfter = os.loadavg();
    const s = summarizeList(list, bare);
    const secs = (ms: number): string => (ms / 1000).toFixed(3);
    const cpu = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(3));
    const table = [
      '| command | runs | median wall s | mean CPU s |',
      '| --- | --: | --: | --: |',
      `| login-harness list | ${list.length} | ${secs(s.listWallMs)} | ${cpu(s.listCpuSeconds)} |`,
      `| node -e 0 | ${bare.length} | ${secs(s.bareWallMs)} | ${cpu(s.bareCpuSeconds)} |`,
      `| ratio | | ${s.ratio.toFixed(2)}x | ${s.cpuRatio === undefined ? 'n/a' : `${s.cpuRatio.toFixed(2)}x`} |`,
      '',
      `goal ${GOAL.op} ${GOAL.value}x bare node: ${meets(s.ratio, GOAL) ? 'met' : 'not met'}; load average ${loadBefore[0].toFixed(2)} -> ${loadAfter[0].toFixed(2)} on ${os.cpus().length} CPUs`,
    ].join('\n');
    const goals: GoalMeasurement[] = [
      {
        key: 'list.ratio',
        value: s.ratio,
        detail: `${secs(s.listWallMs)} s vs ${secs(s.bareWallMs)} s, ${list.length} runs`,
        ...(s.listCpuSeconds !== undefined ? { cpuSeconds: s.listCpuSeconds } : {}),
        ...(s.listCpuSeconds !== undefined && s.bareCpuSeconds !== undefined && s.cpuRatio !== undefined
          ? {
              cpuText: `${s.listCpuSeconds.toFixed(3)} vs ${s.bareCpuSeconds.toFixed(3)} CPU-s = ${s.cpuRatio.toFixed(2)}x`,
            }
          : {}),
        load: { before: load1(loadBefore), after: load1(loadAfter) },
      },
    ];
    return {
      table,
      goals,
      json: {
        suite: 'list',
        commands: { list: 'node bin/login-harness.mjs list', bare: 'node -e 0' },
        cpuSource: [...new Set([...list, ...bare].map((r) => r.cpuSource ?? 'none'))].join(', '),
        runs: list.length,
        ...s,
        runsMs: {
          list: list.map((r) => ({ wallMs: Math.round(r.wallMs), cpuMs: r.cpuMs })),
          bare: bare.map((r) => ({ wallMs: Math.round(r.wallMs), cpuMs: r.cpuMs })),
        },
        machine: {
          cpus: os.cpus().length,
          loadavgBefore: roundedLoad(loadBefore),
          loadavgAfter: roundedLoad(loadAfter),
          node: process.version,
        },
        at: new Date().toISOString(),
      },
    };
  },
};

export default suite;
