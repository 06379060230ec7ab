/**
 * lexoffice's documented limit of 2 requests per second per access token, as a token bucket: a client
 * may burst two requests, then one more every 500 ms. Time comes from the provider's clock so tests can
 * freeze and advance it.
 */
import type { Clock } from '../types.js';

/** Requests per second lexoffice allows per token. */
export const REQUESTS_PER_SECOND = 2;

export interface RateLimiter {
  /** Takes one request from `key`'s bucket; false when the bucket is empty (answer 429). */
  take(key: string): boolean;
  /** Seconds until `key` may call again (for `Retry-After`), at least 1. */
  retryAfter(key: string): number;
}

export function createRateLimiter(clock: Clock, perSecond = REQUESTS_PER_SECOND): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (key: string): { tokens: number; at: number } => {
    const now = clock();
    const b = buckets.get(key) ?? { tokens: perSecond, at: now };
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(perSecond, b.tokens + (elapsed * perSecond) / 1000);
    b.at = now;
    buckets.set(key, b);
    return b;
  };
  return {
    take(key) {
      const b = refill(key);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    retryAfter(key) {
      const b = refill(key);
      return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
    },
  };
}
