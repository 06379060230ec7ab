/** Waiting that an aborted check stops at once. */
import { timedStep, type CheckTimer } from './timings.js';

/**
 * Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. With `timer`, the
 * wait is a `wait` step of that check.
 */
export function waitMs(ms: number, signal: AbortSignal, timer?: CheckTimer): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return timedStep(timer, 'wait', () => sleep(ms, signal));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
