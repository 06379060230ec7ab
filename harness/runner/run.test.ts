import { describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../../reports/model.js';
import { makeResult } from '../../reports/testing/fixtures.js';
import { runAudit, type RunFrame } from './run.js';

const frame = (events: RunnerEvent[]): RunFrame => ({
  mode: 'client',
  target: { name: 'acme', kind: 'web', profile: 'lexoffice' },
  seed: 1,
  checkIds: [],
  onEvent: (e) => void events.push(e),
  now: () => Date.parse('2026-01-10T10:00:00.000Z'),
});

describe('the run frame', () => {
  it('announces the policy it judges under at the start, so a partial report can name it', async () => {
    const events: RunnerEvent[] = [];
    const report = await runAudit(
      {
        ...frame(events),
        judging: { policy: 'strict', facts: new Set(), resolve: (key) => ({ key, url: '', label: key }) },
      },
      async () => ({ results: [], status: 'complete' }),
    );
    expect(events[0]).toMatchObject({ type: 'run-start', policy: 'strict' });
    expect(report.policy).toBe('strict');
  });

  it('announces no policy when it judges nothing, and reports the default', async () => {
    const events: RunnerEvent[] = [];
    const report = await runAudit(frame(events), async () => ({ results: [], status: 'complete' }));
    expect(events[0]).not.toHaveProperty('policy');
    expect(report.policy).toBe('rfc9700');
  });

  it('assembles the report of a run that broke from the checks that finished, in catalog order, and announces it', async () => {
    const events: RunnerEvent[] = [];
    const run = runAudit(
      {
        ...frame(events),
        checkIds: ['a.one', 'a.two', 'a.three'],
        judging: { policy: 'strict', facts: new Set(), resolve: (key) => ({ key, url: '', label: key }) },
      },
      async (_startedAtMs, onEvent) => {
        onEvent({ type: 'check-end', result: makeResult({ id: 'a.two', verdict: 'fail' }) });
        onEvent({ type: 'check-end', result: makeResult({ id: 'a.one', verdict: 'pass' }) });
        throw new Error('the target crashed');
      },
    );
    await expect(run).rejects.toThrow('the target crashed');
    const ends = events.filter((e) => e.type === 'run-end');
    expect(ends).toHaveLength(1);
    const report = ends[0].type === 'run-end' ? ends[0].report : undefined;
    expect(report?.status).toBe('crashed');
    expect(report?.results.map((r) => r.id)).toEqual(['a.one', 'a.two']);
    expect(report?.summary).toMatchObject({ total: 2, pass: 1, fail: 1 });
    // The partial report names the policy its results were judged under.
    expect(report?.policy).toBe('strict');
  });

  it('announces an empty crashed report when the run broke before any check ended', async () => {
    const events: RunnerEvent[] = [];
    await expect(
      runAudit({ ...frame(events), checkIds: ['a.one'] }, async () => {
        throw new Error('no target');
      }),
    ).rejects.toThrow('no target');
    expect(events.at(-1)).toMatchObject({
      type: 'run-end',
      report: { status: 'crashed', results: [], summary: { total: 0 } },
    });
  });

  it('announces the report it returns, so the report of an interrupted run is the one assembled at its end', async () => {
    const events: RunnerEvent[] = [];
    const report = await runAudit({ ...frame(events), checkIds: ['a.one', 'a.two'] }, async (_startedAtMs, onEvent) => {
      const result = makeResult({ id: 'a.one', verdict: 'pass' });
      onEvent({ type: 'check-end', result });
      return { results: [result], status: 'interrupted' };
    });
    expect(report.status).toBe('interrupted');
    expect(events.at(-1)).toEqual({ type: 'run-end', report });
  });
});
