import { describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../../reports/model.js';
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
});
