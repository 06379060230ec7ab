import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIFF_HELP, MERGE_HELP, runDiffCommand, runMergeCommand, type CliIo } from './cli.js';
import { ReportSchema, type Report } from './model.js';
import { selectShard } from './shard.js';
import { catalogResults, makeReport, makeResult } from './testing/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lh-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(): CliIo & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    stdout(t: string) {
      sink.out += t;
    },
    stderr(t: string) {
      sink.err += t;
    },
  };
  return sink;
}

async function save(name: string, report: Report | unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(report));
  return path;
}

async function shards(count: number): Promise<string[]> {
  const results = catalogResults();
  const ids = results.map((r) => r.id);
  const paths: string[] = [];
  for (let i = 1; i <= count; i++) {
    const mine = new Set(selectShard(ids, { index: i, count }));
    paths.push(
      await save(
        `shard-${i}.json`,
        makeReport({ results: results.filter((r) => mine.has(r.id)), shard: { index: i, count } }),
      ),
    );
  }
  return paths;
}

describe('login-harness merge', () => {
  it('prints help and exits 0', async () => {
    const sink = io();
    expect(await runMergeCommand(['--help'], sink)).toBe(0);
    expect(sink.out).toBe(MERGE_HELP);
  });

  it('merges shard reports into OUT.json in catalog order and writes extra formats', async () => {
    const inputs = await shards(3);
    const out = join(dir, 'merged', 'report.json');
    const sink = io();
    const order = catalogResults().map((r) => r.id);
    const code = await runMergeCommand([out, ...inputs, '--format', 'junit,html', '--out', join(dir, 'html')], sink, {
      order,
    });
    expect(sink.err).toBe('');
    expect(code).toBe(0);
    const merged = ReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(merged.results.map((r) => r.id)).toEqual(order);
    expect((await readdir(join(dir, 'html'))).sort()).toEqual(['report.html', 'report.junit.xml']);
    expect(sink.out).toContain('Merged 3 reports (12 checks)');
  });

  it('applies the gate when asked and exits 1 on a blocking finding', async () => {
    const inputs = await shards(2);
    const out = join(dir, 'm.json');
    expect(await runMergeCommand([out, ...inputs, '--fail-on', 'critical'], io())).toBe(1);
    const baseline = await save('baseline.json', {
      version: 1,
      entries: [{ check: 'id-token.alg-none', target: 'acme-invoicing', justification: 'demo', expires: '2999-12-31' }],
    });
    // The fixture's logout.revoke ended in error: that alone still fails the gate, unless errors are allowed.
    expect(await runMergeCommand([out, ...inputs, '--fail-on', 'critical', '--baseline', baseline], io())).toBe(1);
    expect(
      await runMergeCommand([out, ...inputs, '--fail-on', 'critical', '--baseline', baseline, '--allow-errors'], io()),
    ).toBe(0);
    const merged = ReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(merged.results.find((r) => r.id === 'id-token.alg-none')?.baselined?.justification).toBe('demo');
  });

  it('exits 2 with a message for usage and input errors', async () => {
    const inputs = await shards(2);
    const cases: Array<[string[], RegExp]> = [
      [[], /expected OUT\.json and at least one input report/],
      [[join(dir, 'o.json'), inputs[0], '--format', 'pdf'], /unknown report format "pdf"/],
      [[join(dir, 'o.json'), inputs[0], '--bogus'], /unknown option --bogus/],
      [[join(dir, 'o.json'), inputs[0]], /shard 2\/2 missing/],
      [[join(dir, 'o.json'), join(dir, 'nope.json')], /cannot read report/],
      [[join(dir, 'o.json'), ...inputs, '--fail-on', 'severe'], /unknown severity "severe"/],
    ];
    for (const [argv, message] of cases) {
      const sink = io();
      expect(await runMergeCommand(argv, sink), argv.join(' ')).toBe(2);
      expect(sink.err).toMatch(message);
      expect(sink.err).toContain('login-harness merge --help');
    }
  });

  it('names the JSON path when an input is not a report', async () => {
    const bad = await save('bad.json', { ...makeReport(), seed: 'x' });
    const sink = io();
    expect(await runMergeCommand([join(dir, 'o.json'), bad], sink)).toBe(2);
    expect(sink.err).toContain(`${bad}: not a login-harness report: $.seed:`);
  });
});

describe('login-harness diff', () => {
  const r = (id: string, verdict: 'pass' | 'fail') => makeResult({ id, verdict });

  it('prints help and exits 0', async () => {
    const sink = io();
    expect(await runDiffCommand(['-h'], sink)).toBe(0);
    expect(sink.out).toBe(DIFF_HELP);
  });

  it('exits 1 and lists new findings, 0 when nothing is new', async () => {
    const oldPath = await save('old.json', makeReport({ results: [r('a.one', 'fail'), r('a.two', 'pass')] }));
    const newPath = await save('new.json', makeReport({ results: [r('a.one', 'pass'), r('a.two', 'fail')] }));
    const sink = io();
    expect(await runDiffCommand([oldPath, newPath], sink)).toBe(1);
    expect(sink.out).toContain('New findings (1)\n  + [high] a.two');
    expect(sink.out).toContain('Fixed (1)\n  - [high] a.one');
    expect(await runDiffCommand([newPath, newPath], io())).toBe(0);
  });

  it('prints JSON with --json', async () => {
    const oldPath = await save('old.json', makeReport({ results: [r('a.one', 'pass')] }));
    const newPath = await save('new.json', makeReport({ results: [r('a.one', 'fail')] }));
    const sink = io();
    expect(await runDiffCommand([oldPath, newPath, '--json'], sink)).toBe(1);
    const parsed = JSON.parse(sink.out) as { new: Array<{ id: string }> };
    expect(parsed.new.map((x) => x.id)).toEqual(['a.one']);
  });

  it('exits 2 on a wrong argument count or an unreadable report', async () => {
    const sink = io();
    expect(await runDiffCommand(['only-one.json'], sink)).toBe(2);
    expect(sink.err).toContain('expected OLD.json and NEW.json, got 1 argument(s)');
    expect(await runDiffCommand([join(dir, 'x.json'), join(dir, 'y.json')], io())).toBe(2);
  });
});
