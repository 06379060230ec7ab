import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClientCheckContext } from '../types.js';
import { GUESSABLE_BELOW_BITS, judgeEntropy, type EntropyBound } from './samples.js';

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
});
