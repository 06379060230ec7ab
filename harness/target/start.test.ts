import { afterEach, describe, expect, it, vi } from 'vitest';
import { pause } from './start.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('pause between ready probes', () => {
  it('ends as soon as the target writes output, long before its time is up, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const nudge = new EventTarget();
    let ended = false;
    const paused = pause(60_000, new AbortController().signal, nudge).then(() => {
      ended = true;
    });
    await Promise.resolve();
    expect(ended).toBe(false);
    nudge.dispatchEvent(new Event('output'));
    await paused;
    expect(ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends when its time is up without output', async () => {
    vi.useFakeTimers();
    let ended = false;
    const paused = pause(250, new AbortController().signal, new EventTarget()).then(() => {
      ended = true;
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await paused;
    expect(ended).toBe(true);
  });

  it('rejects with the reason when the start is aborted, and a later output changes nothing', async () => {
    vi.useFakeTimers();
    const abort = new AbortController();
    const nudge = new EventTarget();
    const paused = pause(60_000, abort.signal, nudge);
    abort.abort(new Error('stopped'));
    await expect(paused).rejects.toThrow('stopped');
    nudge.dispatchEvent(new Event('output'));
    expect(vi.getTimerCount()).toBe(0);
  });
});
