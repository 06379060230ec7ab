import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimateEntropy } from './entropy.js';

const many = (n: number, make: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => make(i));

describe('estimateEntropy', () => {
  it('credits random 128-bit hex tokens with at least 128 bits', () => {
    const e = estimateEntropy(many(5, () => randomBytes(16).toString('hex')));
    expect(e.alphabet.name).toBe('hex');
    expect(e.bits).toBeGreaterThanOrEqual(124);
    expect(e.unique).toBe(true);
  });

  it('does not take a chance 6-character coincidence between random hex tokens for a shared block', () => {
    // Five pseudo-random 128-bit values in which two share "58486" plus one character by chance.
    const e = estimateEntropy([
      '8981aff108708179555eb9dc840655b6',
      '9fcea018534de26af072977411584863',
      '87c9415848670925ccd3e5f854f02a2b',
      '38a63b6669f2265874c526ccdd7a2854',
      'd1e9fa8bcbefc86a3c4acbfbfc970d20',
    ]);
    expect(e.findings).toEqual([]);
    expect(e.bits).toBe(128);
  });

  it('credits every one of 1,000 seeded sets of 128-bit hex tokens with at least 124 bits', () => {
    const token = (i: number): string =>
      createHash('sha256').update(`state-sample:${i}`).digest().subarray(0, 16).toString('hex');
    const weak: Array<{ set: number; bits: number }> = [];
    for (let set = 0; set < 1000; set++) {
      const e = estimateEntropy(many(5, (k) => token(set * 5 + k)));
      if (e.bits < 124) weak.push({ set, bits: e.bits });
    }
    expect(weak).toEqual([]);
  });

  it('finds a fixed block that every sample carries at a different offset', () => {
    const id = 'c0ffee0ddba11f00d5ca1ab1e';
    const e = estimateEntropy(
      many(5, (i) => `${randomBytes(i + 1).toString('hex')}${id}${randomBytes(8 - i).toString('hex')}`),
    );
    expect(e.findings.join(' ')).toMatch(/repeat a substring of another sample/);
    expect(e.bits).toBeLessThanOrEqual(72);
  });

  it('credits random 256-bit base64url tokens with well over 128 bits', () => {
    const e = estimateEntropy(many(5, () => randomBytes(32).toString('base64url')));
    expect(e.bits).toBeGreaterThanOrEqual(240);
    expect(e.findings).toEqual([]);
  });

  it('credits a random UUID with its 122 random bits, not 36 characters of base64', () => {
    const e = estimateEntropy(many(5, () => randomUUID()));
    expect(e.alphabet.name).toBe('hex');
    expect(e.bits).toBeLessThan(128);
    expect(e.bits).toBeGreaterThanOrEqual(116);
  });

  it('credits millisecond timestamps with a handful of bits although they are unique', () => {
    const base = 1_732_900_000_000;
    const e = estimateEntropy(many(5, (i) => String(base + i * 37)));
    expect(e.unique).toBe(true);
    expect(e.bits).toBeLessThan(16);
  });

  it('credits a long zero-padded counter almost nothing', () => {
    const e = estimateEntropy(many(5, (i) => `state-${String(i + 1).padStart(40, '0')}`));
    expect(e.bits).toBeLessThan(8);
    expect(e.findings.join(' ')).toMatch(/same in every sample/);
  });

  it('credits a short random value with its few bits', () => {
    const e = estimateEntropy(many(5, () => randomBytes(4).toString('hex')));
    expect(e.bits).toBeLessThanOrEqual(32);
  });

  it('sees through base64-encoded text that wraps a timestamp', () => {
    const e = estimateEntropy(
      many(5, (i) =>
        Buffer.from(JSON.stringify({ returnTo: '/', t: 1_732_900_000_000 + i * 11 })).toString('base64url'),
      ),
    );
    expect(e.findings.join(' ')).toMatch(/decoded text was analysed/);
    expect(e.bits).toBeLessThan(16);
  });

  it('does not credit a random block that repeats in every sample', () => {
    const fixed = randomBytes(32).toString('base64url');
    const e = estimateEntropy(many(5, () => `${randomBytes(3).toString('base64url')}${fixed}`));
    expect(e.bits).toBeLessThan(40);
  });

  it('discounts characters drawn far from evenly over their alphabet', () => {
    const skewed = (): string =>
      Array.from(randomBytes(40), (b) =>
        b < 230 ? 'a' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZbcdefghijklmnopqrstuvwxyz0123456789-_'[b % 64],
      ).join('');
    const e = estimateEntropy(many(5, skewed));
    expect(e.bits).toBeLessThan(128);
  });

  it('recognises a SHA-256 of a small counter', () => {
    const e = estimateEntropy(
      many(5, (i) =>
        createHash('sha256')
          .update(String(i + 100))
          .digest('hex'),
      ),
    );
    expect(e.bits).toBeLessThan(16);
    expect(e.findings.join(' ')).toMatch(/sha256 of the integer/);
  });

  it.each([
    ['md5', 'hex'],
    ['sha1', 'base64url'],
    ['sha256', 'base64url'],
  ] as const)('finds the %s (%s) of a small counter among random values', (algorithm, encoding) => {
    const hashed = createHash(algorithm).update('4711').digest(encoding);
    const e = estimateEntropy([randomBytes(32).toString('base64url'), hashed, randomUUID()]);
    expect(e.findings.join(' ')).toContain(`is the ${algorithm} of the integer 4711`);
  });

  it('cannot tell a hash of a large counter from random data (documented limitation)', () => {
    const e = estimateEntropy(
      many(5, (i) =>
        createHash('sha256')
          .update(`seed-${i + 1_000_000}`)
          .digest('hex'),
      ),
    );
    expect(e.bits).toBeGreaterThanOrEqual(128);
  });

  it('reports a value produced twice as not unique', () => {
    const v = randomBytes(32).toString('base64url');
    const e = estimateEntropy([v, randomBytes(32).toString('base64url'), v]);
    expect(e.unique).toBe(false);
  });
});
