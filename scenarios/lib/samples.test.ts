import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { ClientCheckContext } from '../types.js';
import {
  GUESSABLE_BELOW_BITS,
  judgeEntropy,
  sampleAuthorizationRequests,
  SHARED_REQUEST_SAMPLES,
  type EntropyBound,
} from './samples.js';

const many = (n: number, make: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => make(i));

/** judgeEntropy only records observations. */
function context(): { ctx: ClientCheckContext; texts: string[] } {
  const texts: string[] = [];
  const ctx = { observe: (text: string) => void texts.push(text) } as unknown as ClientCheckContext;
  return { ctx, texts };
}

const STATE: EntropyBound = { failBelow: GUESSABLE_BELOW_BITS, failBasis: 'non-guessable' };
const VERIFIER: EntropyBound = {
  failBelow: GUESSABLE_BELOW_BITS,
  failBasis: 'high-entropy cryptographic random string',
  warnBelow: 256,
  warnBasis: 'RFC 7636 §7.1 recommends',
};

describe('judgeEntropy', () => {
  it('passes random UUIDv4 states although their estimate is below 128 bits', () => {
    const { ctx, texts } = context();
    const outcome = judgeEntropy(
      ctx,
      'state',
      many(6, () => randomUUID()),
      STATE,
    );
    expect(outcome.verdict, outcome.summary).toBe('pass');
    expect(texts[0]).toMatch(/about 1[12]\d bits estimated/);
  });

  it('fails clock-derived and repeated values', () => {
    const base = Date.now();
    const clock = judgeEntropy(
      context().ctx,
      'state',
      many(6, (i) => String(base + i)),
      STATE,
    );
    expect(clock.verdict).toBe('fail');
    expect(clock.summary).toMatch(/guessable: about \d+ bits estimated, below 64/);
    const v = randomBytes(16).toString('hex');
    expect(judgeEntropy(context().ctx, 'state', [v, randomUUID(), v], STATE).verdict).toBe('fail');
  });

  it('warns about a random verifier below the recommended 256 bits, and passes 32 random octets', () => {
    const short = judgeEntropy(
      context().ctx,
      'code_verifier',
      many(5, () => randomBytes(24).toString('hex')),
      VERIFIER,
    );
    expect(short.verdict, short.summary).toBe('warn');
    expect(short.summary).toMatch(/below the 256 bits RFC 7636 §7\.1 recommends/);
    const full = judgeEntropy(
      context().ctx,
      'code_verifier',
      many(5, () => randomBytes(32).toString('base64url')),
      VERIFIER,
    );
    expect(full.verdict, full.summary).toBe('pass');
  });

  it('gives random values the same pass summary whether or not they happen to hold - or _', () => {
    // 43 base64url characters each (32 random octets): with neither `-` nor `_` among them (about one run
    // in 240 for four nonces), they read as alphanumeric, and the estimate is 256 bits instead of 258.
    const withSymbols = many(
      4,
      (i) => `${'-_'[i % 2]}${randomBytes(32).toString('base64url').replace(/[-_]/g, 'a').slice(1)}`,
    );
    const alphanumeric = many(4, () => randomBytes(32).toString('base64url').replace(/[-_]/g, 'a'));
    for (const bound of [STATE, VERIFIER]) {
      const a = context();
      const b = context();
      const first = judgeEntropy(a.ctx, 'nonce', withSymbols, bound);
      const second = judgeEntropy(b.ctx, 'nonce', alphanumeric, bound);
      expect([first.verdict, second.verdict]).toEqual(['pass', 'pass']);
      // The estimates differ (the observations say so); the summaries, which a seed reproduces, do not.
      expect([a.texts[0], b.texts[0]]).toEqual([
        expect.stringMatching(/base64url alphabet, about 258 bits/),
        expect.stringMatching(/alphanumeric alphabet, about 256 bits/),
      ]);
      expect(second.summary).toBe(first.summary);
    }
  });
});

describe('sampleAuthorizationRequests', () => {
  /** Sessions whose logins finish only when the test releases them, recording the order they started in. */
  function sessions() {
    const started: string[] = [];
    const pending: Array<{ id: string; release: () => void }> = [];
    const shared: string[] = [];
    const ctx = {
      observe: () => undefined,
      // The run's shared sample, run here in the check's own context (as in scenarios/client/testing).
      shared: (key: string, run: (c: ClientCheckContext) => Promise<unknown>) => {
        shared.push(key);
        return run(ctx);
      },
      session: async (name: string) => ({
        id: name,
        startLogin: () =>
          new Promise((resolve) => {
            started.push(name);
            pending.push({
              id: name,
              release: () => resolve({ url: `http://127.0.0.1/authorize?state=${name}`, params: { state: name } }),
            });
          }),
      }),
    } as unknown as ClientCheckContext;
    return { ctx, started, pending, shared };
  }

  it('starts the logins of the other sessions while the first session does its two, and keeps session order', async () => {
    const { ctx, started, pending, shared } = sessions();
    expect(SHARED_REQUEST_SAMPLES).toBe(6);
    // Four requests are the first four of the run's shared sample of six.
    const sampling = sampleAuthorizationRequests(ctx, 4);
    const others = ['sample-2', 'sample-3', 'sample-4', 'sample-5'];
    await vi.waitFor(() => expect(started).toEqual(['sample-1', ...others]));
    expect(shared).toEqual(['request-samples']);
    // Release the later sessions first: the result is still in session order.
    for (const p of pending.splice(1).reverse()) p.release();
    pending.shift()!.release();
    // The first session's second login starts only after its first one ended.
    await vi.waitFor(() => expect(started).toEqual(['sample-1', ...others, 'sample-1']));
    pending.shift()!.release();
    const requests = await sampling;
    expect(requests.map((r) => r.params.state)).toEqual(['sample-1', 'sample-1', 'sample-2', 'sample-3']);
  });

  it('samples more than the shared sample holds in the check itself', async () => {
    const { ctx, started, pending, shared } = sessions();
    const sampling = sampleAuthorizationRequests(ctx, SHARED_REQUEST_SAMPLES + 1);
    await vi.waitFor(() => expect(started).toHaveLength(SHARED_REQUEST_SAMPLES));
    expect(shared).toEqual([]);
    for (const p of pending.splice(0)) p.release();
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    pending.shift()!.release();
    expect(await sampling).toHaveLength(SHARED_REQUEST_SAMPLES + 1);
  });

  it('ends with the first failure in session order once every login has settled', async () => {
    let n = 0;
    const ctx = {
      observe: () => undefined,
      shared: (_key: string, run: (c: ClientCheckContext) => Promise<unknown>) => run(ctx),
      session: async (name: string) => ({
        id: name,
        startLogin: async () => {
          n++;
          if (name === 'sample-3') throw new Error('third session broke');
          if (name === 'sample-2') throw new Error('second session broke');
          return { url: 'http://127.0.0.1/authorize', params: {} };
        },
      }),
    } as unknown as ClientCheckContext;
    await expect(sampleAuthorizationRequests(ctx, 4)).rejects.toThrow(/second session/);
    expect(n).toBe(SHARED_REQUEST_SAMPLES);
  });
});
