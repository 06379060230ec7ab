import { describe, expect, it } from 'vitest';
import type { Session } from '../types.js';
import type { ExecContext, ExecItem } from './execute.js';
import { CheckTimer, RunTimings, timedItem, timedSession, timedStep, type TimedExecItem } from './timings.js';

/** Resolves once `ms` have passed on the real clock (the timer under test reads `performance.now`). */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('check timings', () => {
  /** A clock that moves only when the test moves it. */
  function fakeClock(): { now: () => number; advance(ms: number): void } {
    let t = 1000;
    return { now: () => t, advance: (ms) => void (t += ms) };
  }

  it('counts steps of one kind that overlap once, as wall time', async () => {
    const clock = fakeClock();
    const timer = new CheckTimer(clock.now);
    timer.start();
    let releaseA!: () => void;
    let releaseB!: () => void;
    const a = timedStep(timer, 'login', () => new Promise<void>((r) => (releaseA = r)));
    clock.advance(10);
    const b = timedStep(timer, 'login', () => new Promise<void>((r) => (releaseB = r)));
    clock.advance(50);
    releaseA();
    await a;
    clock.advance(20);
    releaseB();
    await b;
    clock.advance(5);
    await timedStep(timer, 'wait', async () => clock.advance(7));
    timer.end();
    // Logins from t=0 to t=80 (two of them overlapping from 10 to 60): 80 ms, not 130.
    expect(timer.toModel('state.entropy')).toEqual({
      id: 'state.entropy',
      durationMs: 92,
      setupMs: 0,
      sessionMs: 0,
      loginMs: 80,
      waitMs: 7,
    });
  });

  it('runs a step without a timer untimed, and times no other check than the one it is given', async () => {
    const clock = fakeClock();
    const timer = new CheckTimer(clock.now);
    const other = new CheckTimer(clock.now);
    timer.start();
    other.start();
    expect(await timedStep(undefined, 'wait', async () => (clock.advance(20), 'ran'))).toBe('ran');
    await timedStep(other, 'login', async () => clock.advance(5));
    timer.end();
    other.end();
    expect(timer.toModel('x')).toMatchObject({ durationMs: 25, waitMs: 0, loginMs: 0 });
    expect(other.toModel('y')).toMatchObject({ durationMs: 25, waitMs: 0, loginMs: 5 });
  });

  it('counts a step still running when the check ends up to the end', async () => {
    const clock = fakeClock();
    const timer = new CheckTimer(clock.now);
    timer.start();
    void timedStep(timer, 'wait', () => new Promise<void>(() => undefined));
    clock.advance(30);
    timer.end();
    expect(timer.toModel('x')).toMatchObject({ durationMs: 30, waitMs: 30 });
  });

  it('times the user-agent steps of a session whose methods read private fields', async () => {
    class PrivateSession {
      readonly #name = 'private';
      get id(): string {
        return this.#name;
      }
      async isSignedIn(): Promise<boolean> {
        await pause(30);
        return this.#name === 'private';
      }
      transcript(): string[] {
        return [this.#name];
      }
    }
    const timer = new CheckTimer();
    timer.start();
    const s = timedSession(new PrivateSession() as unknown as Session, timer);
    const results = [s.id, await s.isSignedIn(), s.transcript()];
    timer.end();
    expect(results).toEqual(['private', true, ['private']]);
    expect(timer.toModel('x').loginMs).toBeGreaterThanOrEqual(25);
  });
});

describe('run timings', () => {
  it('lists phases in a fixed order and per-check phases in catalog order, whatever order they ended in', () => {
    const origin = performance.now();
    const t = new RunTimings(origin, 100);
    t.record('checks', origin + 50, origin + 90);
    t.record('environment', origin + 2, origin + 40, 'b');
    t.record('environment', origin + 1, origin + 30, 'a');
    t.record('provider', origin, origin + 5);
    t.check('b').start();
    t.check('a').start();
    const model = t.toModel(['a', 'b', 'c']);
    expect(model.phases.map((p) => [p.name, p.check])).toEqual([
      ['cli', undefined],
      ['provider', undefined],
      ['environment', 'a'],
      ['environment', 'b'],
      ['checks', undefined],
    ]);
    expect(model.phases[0]).toMatchObject({ durationMs: 100 });
    expect(model.checks.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('times an executor item as its check, with the steps its run times on the timer it gets', async () => {
    const t = new RunTimings(performance.now());
    const item: TimedExecItem = {
      meta: { id: 'provider.pkce.required' } as ExecItem['meta'],
      references: [],
      severity: 'high',
      run: async (_exec, timer) => {
        await timedStep(timer, 'wait', () => pause(20));
        return { verdict: 'pass', summary: 'ok' };
      },
    };
    const outcome = await timedItem(t, item).run({} as ExecContext);
    expect(outcome.verdict).toBe('pass');
    const [timing] = t.toModel(['provider.pkce.required', 'provider.other']).checks;
    expect(timing.id).toBe('provider.pkce.required');
    expect(timing.waitMs).toBeGreaterThanOrEqual(15);
    expect(timing.durationMs).toBeGreaterThanOrEqual(timing.waitMs);
  });
});
