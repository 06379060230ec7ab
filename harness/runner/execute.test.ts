import { describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../../reports/model.js';
import type { Outcome } from '../check.js';
import {
  CheckRunError,
  executeChecks,
  executeChecksDetailed,
  RedactionBatch,
  type ExecContext,
  type ExecItem,
} from './execute.js';

function item(id: string, run: (ctx: ExecContext) => Promise<Outcome>, fault?: string): ExecItem {
  return {
    meta: {
      id,
      title: `Title of ${id}`,
      severity: 'high',
      must: 'must hold',
      rationale: 'because',
      remediation: 'fix it',
      ...(fault ? { fault } : {}),
    },
    references: [
      { key: 'RFC6749-10.12', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.12', label: 'RFC 6749 §10.12' },
      { key: 'CWE-352', url: 'https://cwe.mitre.org/data/definitions/352.html', label: 'CWE-352' },
    ],
    severity: 'medium',
    run,
  };
}

const passing = (id: string): ExecItem =>
  item(id, async (ctx) => {
    ctx.observe(`observed ${id}`);
    return { verdict: 'pass', summary: `${id} passed` };
  });

const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

const base = { concurrency: 2, checkTimeoutMs: 2_000, redact: (t: string) => t };

describe('executeChecks', () => {
  it('turns a check that outlives its timeout into an error, never a pass', async () => {
    let aborted = false;
    const [result] = await executeChecks(
      [
        item('slow', async (ctx) => {
          ctx.observe('started');
          await never(ctx.signal).catch(() => {
            aborted = true;
          });
          return { verdict: 'pass', summary: 'too late' };
        }),
      ],
      { ...base, checkTimeoutMs: 50 },
    );
    expect(result.verdict).toBe('error');
    expect(result.errorKind).toBe('target');
    expect(result.summary).toContain('50 ms');
    expect(aborted).toBe(true);
  });

  it('turns a pass without any observation into an error', async () => {
    const [result] = await executeChecks(
      [item('empty', async () => ({ verdict: 'pass', summary: 'looks fine' }))],
      base,
    );
    expect(result.verdict).toBe('error');
    expect(result.errorKind).toBe('harness');
    expect(result.summary).toContain('recorded no observation');
  });

  it('keeps not-applicable without observations', async () => {
    const [result] = await executeChecks(
      [item('na', async () => ({ verdict: 'not-applicable', summary: 'driver does not refresh' }))],
      base,
    );
    expect(result.verdict).toBe('not-applicable');
    expect(result.summary).toBe('driver does not refresh');
  });

  it('turns a thrown error into an error verdict carrying its message and kind', async () => {
    const results = await executeChecks(
      [
        item('boom', async () => {
          throw new Error('socket hang up');
        }),
        item('target-died', async () => {
          throw new CheckRunError('the target exited with code 1', 'target');
        }),
      ],
      base,
    );
    expect(results[0]).toMatchObject({ verdict: 'error', errorKind: 'harness' });
    expect(results[0].summary).toContain('socket hang up');
    expect(results[1]).toMatchObject({ verdict: 'error', errorKind: 'target' });
    expect(results[1].summary).toContain('exited with code 1');
  });

  it('returns results in the items order whatever order they finish in', async () => {
    const delays = [40, 5, 25, 0, 10];
    const items = delays.map((d, i) =>
      item(`c${i}`, async (ctx) => {
        await new Promise((r) => setTimeout(r, d));
        ctx.observe('done');
        return { verdict: 'pass', summary: `c${i}` };
      }),
    );
    const ends: string[] = [];
    const results = await executeChecks(items, {
      ...base,
      concurrency: 5,
      onEvent: (e: RunnerEvent) => {
        if (e.type === 'check-end') ends.push(e.result.id);
      },
    });
    expect(results.map((r) => r.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(ends).not.toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(ends.sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('starts the items that start early first, in their order, and still reports in the items order', async () => {
    const started: string[] = [];
    const items = ['c0', 'c1', 'c2', 'c3', 'c4'].map((id) => ({
      ...item(id, async (ctx) => {
        started.push(id);
        ctx.observe('done');
        return { verdict: 'pass' as const, summary: id };
      }),
      ...(id === 'c1' || id === 'c3' ? { startsEarly: true } : {}),
    }));
    const results = await executeChecks(items, { ...base, concurrency: 1 });
    expect(started).toEqual(['c1', 'c3', 'c0', 'c2', 'c4']);
    expect(results.map((r) => r.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('never runs more checks at once than the concurrency allows', async () => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 6 }, (_, i) =>
      item(`p${i}`, async (ctx) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        ctx.observe('ok');
        return { verdict: 'pass', summary: 'ok' };
      }),
    );
    await executeChecks(items, { ...base, concurrency: 2 });
    expect(peak).toBe(2);
  });

  it('ends the running check and every later one in error once the deadline passes', async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const outcome = await executeChecksDetailed(
      [
        passing('first'),
        item('hangs', async (ctx) => {
          ctx.observe('waiting');
          // Move the frozen clock past the deadline, then wait for the executor to notice via its timer.
          now += 10_000;
          await never(ctx.signal);
          return { verdict: 'pass', summary: 'unreachable' };
        }),
        passing('later'),
      ],
      { ...base, concurrency: 1, deadline: 1_000_000 + 30, clock },
    );
    expect(outcome.status).toBe('deadline');
    expect(outcome.results.map((r) => [r.id, r.verdict])).toEqual([
      ['first', 'pass'],
      ['hangs', 'error'],
      ['later', 'error'],
    ]);
    expect(outcome.results[2].summary).toContain('deadline');
  });

  it('redacts summaries, observations, structured data and transcripts', async () => {
    const secret = 'tok_SECRET123';
    const [result] = await executeChecks(
      [
        item('leaky', async (ctx) => {
          ctx.observe(`saw ${secret} in the log`, { nested: [{ value: secret }], n: 1 });
          ctx.addTranscript([
            {
              seq: 1,
              at: 0,
              agent: 'http',
              method: 'GET',
              url: `http://127.0.0.1/cb?code=${secret}`,
              requestHeaders: { referer: `http://x/?t=${secret}` },
              responseBody: `<p>${secret}</p>`,
              note: secret,
            },
          ]);
          return { verdict: 'fail', summary: `leaked ${secret}` };
        }),
      ],
      { ...base, redact: (t) => t.replaceAll(secret, '[redacted]') },
    );
    const text = JSON.stringify(result);
    expect(text).not.toContain(secret);
    expect(result.summary).toBe('leaked [redacted]');
    expect(result.observations[0]).toEqual({
      text: 'saw [redacted] in the log',
      data: { nested: [{ value: '[redacted]' }], n: 1 },
    });
    expect(result.transcript[0].url).toBe('http://127.0.0.1/cb?code=[redacted]');
    expect(result.transcript[0].requestHeaders.referer).toBe('http://x/?t=[redacted]');
  });

  it('fills the result with metadata, effective severity, the references the item carries and the fault', async () => {
    const [result] = await executeChecks(
      [
        item(
          'meta',
          async (ctx) => {
            ctx.observe('x');
            return { verdict: 'warn', summary: 'w' };
          },
          'callback.state-altered',
        ),
      ],
      base,
    );
    expect(result).toMatchObject({
      id: 'meta',
      title: 'Title of meta',
      severity: 'medium',
      verdict: 'warn',
      fault: 'callback.state-altered',
      must: 'must hold',
    });
    expect(result.references).toEqual([
      { key: 'RFC6749-10.12', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.12', label: 'RFC 6749 §10.12' },
      { key: 'CWE-352', url: 'https://cwe.mitre.org/data/definitions/352.html', label: 'CWE-352' },
    ]);
    expect(result.errorKind).toBeUndefined();
  });

  it('keeps only finished checks when the run is interrupted', async () => {
    const ac = new AbortController();
    const outcome = await executeChecksDetailed(
      [
        passing('done'),
        item('running', async (ctx) => {
          ctx.observe('started');
          ac.abort();
          await never(ctx.signal);
          return { verdict: 'pass', summary: 'unreachable' };
        }),
        passing('never-started'),
      ],
      { ...base, concurrency: 1, signal: ac.signal },
    );
    expect(outcome.status).toBe('interrupted');
    expect(outcome.results.map((r) => r.id)).toEqual(['done']);
  });

  it('ignores observations a check records after it timed out', async () => {
    let late: (() => void) | undefined;
    const [result] = await executeChecks(
      [
        item('late', async (ctx) => {
          late = () => ctx.observe('after the end');
          await never(ctx.signal);
          return { verdict: 'pass', summary: 'x' };
        }),
      ],
      { ...base, checkTimeoutMs: 20 },
    );
    late?.();
    expect(result.observations).toEqual([]);
  });
});

describe('RedactionBatch', () => {
  it('redacts every string of a result with one call of the redactor, each as if on its own', async () => {
    const secret = 'tok_SECRET123';
    let calls = 0;
    const redact = (t: string): string => {
      calls++;
      return t.replaceAll(secret, '[redacted]');
    };
    const [result] = await executeChecks(
      [
        item('many-strings', async (ctx) => {
          ctx.observe(`saw ${secret}`, { list: [secret, 'plain', secret.slice(0, 6)] });
          ctx.addTranscript(
            Array.from({ length: 50 }, (_, i) => ({
              seq: i + 1,
              at: i,
              agent: 'http' as const,
              method: 'GET',
              url: `http://127.0.0.1/${i}?t=${secret}`,
              requestHeaders: { a: secret, b: `x${i}` },
              status: 200,
            })),
          );
          return { verdict: 'pass', summary: `done ${secret}` };
        }),
      ],
      { ...base, redact },
    );
    expect(calls).toBe(1);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(result.summary).toBe('done [redacted]');
    expect(result.observations[0].data).toEqual({ list: ['[redacted]', 'plain', 'tok_SE'] });
    expect(result.transcript[49]).toMatchObject({
      url: 'http://127.0.0.1/49?t=[redacted]',
      requestHeaders: { a: '[redacted]', b: 'x49' },
      status: 200,
    });
  });

  it('never lets a match span two strings of the batch', () => {
    const batch = new RedactionBatch();
    const a = batch.add('ends with se');
    const b = batch.add('cret starts');
    const resolve = batch.run((t) => t.replaceAll(/se\s*cret/g, '[redacted]'));
    expect([resolve(a), resolve(b)]).toEqual(['ends with se', 'cret starts']);
  });

  it('falls back to one call per string when a string contains the separator', () => {
    const batch = new RedactionBatch();
    const a = batch.add('a\u0000secret');
    const b = batch.add('secret');
    let calls = 0;
    const resolve = batch.run((t) => {
      calls++;
      return t.replaceAll('secret', '[r]');
    });
    expect([resolve(a), resolve(b)]).toEqual(['a\u0000[r]', '[r]']);
    expect(calls).toBe(2);
  });
});
