import { describe, expect, it } from 'vitest';
import { SUITES, runBench } from './run.js';
import { measureSlice, summarize } from './idp/measure.js';

describe('npm run bench', () => {
  it('registers the idp suite as a loadable module', async () => {
    const suite = await SUITES.idp();
    expect(suite.name).toBe('idp');
    expect(typeof suite.run).toBe('function');
  });

  it('refuses an unknown suite or a malformed option with exit 2 before measuring anything', async () => {
    expect(await runBench(['no-such-suite'])).toBe(2);
    expect(await runBench(['idp', '--concurrency', '1,x'])).toBe(2);
    expect(await runBench(['idp', '--duration', '5'])).toBe(2);
    expect(await runBench(['--bogus'])).toBe(2);
  });
});

describe('closed-loop measurement', () => {
  it('counts completed flows and errors separately and merges slices into one rate', async () => {
    let n = 0;
    const flow = async (): Promise<void> => {
      const i = ++n;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (i % 5 === 0) throw new Error('every fifth fails');
    };
    const a = await measureSlice(flow, 2, 50);
    const b = await measureSlice(flow, 2, 50);
    const m = summarize(2, [a, b]);
    expect(m.flows + m.errors).toBe(n);
    expect(m.errors).toBe(Math.floor(n / 5));
    expect(m.firstError).toBe('every fifth fails');
    expect(m.flowsPerSecond).toBeCloseTo(m.flows / ((a.ms + b.ms) / 1000), 1);
    expect(m.p50Ms).toBeLessThanOrEqual(m.p95Ms);
  });
});
