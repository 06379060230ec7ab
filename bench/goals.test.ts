import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatGoalsTable,
  GOAL_FIGURES,
  goalCells,
  goalOf,
  goalRow,
  mergeGoals,
  parseGoalsFile,
  updateGoalsFile,
  type GoalMeasurement,
} from './goals.js';

const ctx = { suite: 'test', measuredAt: '2026-01-01T00:00:00.000Z', cpus: 2 };
const load = { before: 1.5, after: 2.25 };
const measure = (key: string, value: number, extra: Partial<GoalMeasurement> = {}): GoalMeasurement => ({
  key,
  value,
  load,
  ...extra,
});

describe('goal rows', () => {
  it('meets an at-most goal at the goal and fails it above', () => {
    expect(goalRow(measure('audit.web.wall', 2), ctx).met).toBe(true);
    expect(goalRow(measure('audit.web.wall', 2.4), ctx).met).toBe(false);
    expect(goalRow(measure('provider-audit.wall', 0.8), ctx).met).toBe(true);
  });

  it('meets an at-least goal at the goal and fails it below', () => {
    expect(goalRow(measure('idp.ratio.c4', 2), ctx).met).toBe(true);
    expect(goalRow(measure('idp.ratio.c4', 1.57), ctx).met).toBe(false);
  });

  it('judges the unrounded value, so a figure a hair above its goal is not met', () => {
    const row = goalRow(measure('audit.web.wall', 2.0004), ctx);
    expect(row.value).toBe(2);
    expect(row.met).toBe(false);
    expect(goalCells(row)[1]).toBe('2.000 s (above the goal by less than 0.001 s)');
  });

  it('prints a figure that misses its goal by less than the printed precision with three decimals', () => {
    const short = goalRow(measure('idp.ratio.c1', 1.996), ctx);
    expect(goalCells(short).slice(1, 4)).toEqual(['1.996x', '>= 2.00x', 'NOT MET']);
    // Met, or clearly apart from the goal: the usual precision.
    expect(goalCells(goalRow(measure('idp.ratio.c1', 2.004), ctx)).slice(1, 4)).toEqual(['2.00x', '>= 2.00x', 'met']);
    expect(goalCells(goalRow(measure('idp.ratio.c1', 1.86), ctx))[1]).toBe('1.86x');
  });

  it('leaves the verdict out for a figure without a goal', () => {
    const row = goalRow(measure('idp-handle.token', 0.5125), ctx);
    expect(row.goal).toBeUndefined();
    expect(row.met).toBeUndefined();
    expect(goalCells(row).slice(2, 4)).toEqual(['-', '-']);
  });

  it('records a figure that could not be measured as null and not met', () => {
    const row = goalRow(measure('idp.ratio.c16', NaN), ctx);
    expect(row.value).toBeNull();
    expect(row.met).toBe(false);
    expect(goalCells(row)[1]).toBe('n/a');
  });

  it('gives the suites the goal of their figure from the table, and none for a figure only reported', () => {
    expect(goalOf('audit.web.wall')).toEqual({ op: '<=', value: 2 });
    // The figure is the quick start's command as typed, npm's launcher included.
    expect(goalOf('audit.web.npx')).toEqual({ op: '<=', value: 2 });
    expect(goalOf('list.ratio')).toEqual({ op: '<=', value: 3 });
    expect(() => goalOf('catalog.chromium.wall')).toThrow(/no goal figure/);
  });

  it('refuses a key that is not a figure of the table', () => {
    expect(() => goalRow(measure('no.such.figure', 1), ctx)).toThrow(/unknown goal figure no\.such\.figure/);
  });

  it('prints figure, value with its unit and detail, goal, verdict, CPU, load and CPU count', () => {
    const row = goalRow(measure('list.ratio', 3.456, { detail: '0.35 s vs 0.10 s', cpuSeconds: 0.3 }), ctx);
    expect(goalCells(row)).toEqual([
      GOAL_FIGURES.find((f) => f.key === 'list.ratio')!.figure,
      '3.46x (0.35 s vs 0.10 s)',
      '<= 3.00x',
      'NOT MET',
      '0.30 CPU-s',
      '1.50 -> 2.25',
      '2',
    ]);
    const ms = goalRow(measure('idp-handle.token', 1.66, { cpuText: '1.2 CPU-ms' }), ctx);
    expect(goalCells(ms)[1]).toBe('1.660 ms');
    expect(goalCells(ms)[4]).toBe('1.2 CPU-ms');
  });

  it('prints the table in the order of the figures, whatever order the suites ran in, with pipes escaped', () => {
    const rows = [
      goalRow(measure('provider-audit.wall', 0.9), ctx),
      goalRow(measure('audit.web.wall', 1.5, { detail: 'a | b' }), ctx),
    ];
    const lines = formatGoalsTable(rows).split('\n');
    expect(lines[0]).toBe('| figure | measured | goal | met? | CPU | load (1 min) before -> after | CPUs |');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('reference-web');
    expect(lines[2]).toContain('1.50 s (a \\| b)');
    expect(lines[2]).toContain('| met |');
    expect(lines[3]).toContain('audit-provider');
  });
});

describe('goals.json', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('replaces the rows measured now and keeps the others with their own time', () => {
    const old = { ...ctx, measuredAt: '2025-06-01T00:00:00.000Z' };
    const earlier = [goalRow(measure('audit.web.wall', 9.2), old), goalRow(measure('list.ratio', 7), old)];
    const merged = mergeGoals(earlier, [goalRow(measure('list.ratio', 2.5), ctx)]);
    expect(merged.map((r) => [r.key, r.value, r.measuredAt])).toEqual([
      ['audit.web.wall', 9.2, '2025-06-01T00:00:00.000Z'],
      ['list.ratio', 2.5, ctx.measuredAt],
    ]);
  });

  it('merges into an existing file across runs, a null figure included', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lh-goals-'));
    await updateGoalsFile(dir, [
      goalRow(measure('audit.web.wall', 3), ctx),
      goalRow(measure('idp.ratio.c1', NaN), ctx),
    ]);
    const later = { ...ctx, measuredAt: '2026-02-01T00:00:00.000Z' };
    const rows = await updateGoalsFile(dir, [goalRow(measure('audit.web.wall', 1.9), later)]);
    const onDisk = parseGoalsFile(await readFile(join(dir, 'goals.json'), 'utf8'));
    expect(onDisk).toEqual(rows);
    expect(onDisk.map((r) => [r.key, r.value, r.met, r.measuredAt])).toEqual([
      ['audit.web.wall', 1.9, true, later.measuredAt],
      ['idp.ratio.c1', null, false, ctx.measuredAt],
    ]);
  });

  it('keeps a goals.json it cannot read aside instead of losing it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lh-goals-'));
    await writeFile(join(dir, 'goals.json'), '{"rows": [{"key": 1}]}');
    const rows = await updateGoalsFile(dir, [goalRow(measure('list.ratio', 2), ctx)]);
    expect(rows.map((r) => r.key)).toEqual(['list.ratio']);
    expect(await readFile(join(dir, 'goals.json.invalid'), 'utf8')).toBe('{"rows": [{"key": 1}]}');
  });

  it('reads no rows when there is no file yet', () => {
    expect(parseGoalsFile(undefined)).toEqual([]);
  });
});
