import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimateBits, isSignedJwt } from './token.js';

describe('token entropy estimate', () => {
  it('scores independent random base64url values at about length times 6 bits', () => {
    const samples = Array.from({ length: 4 }, () => randomBytes(32).toString('base64url'));
    expect(estimateBits(samples)).toBeGreaterThanOrEqual(240);
  });

  it('scores random hex by its 16-letter alphabet, not by the letters it happens to use', () => {
    const samples = Array.from({ length: 4 }, () => randomBytes(16).toString('hex'));
    expect(estimateBits(samples)).toBeLessThanOrEqual(128);
    expect(estimateBits(samples)).toBeGreaterThan(100);
  });

  it('scores long values that differ only in a counter as guessable', () => {
    const prefix = 'code-2026-11-01-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-';
    expect(estimateBits([`${prefix}0001`, `${prefix}0002`, `${prefix}0003`, `${prefix}0004`])).toBeLessThan(20);
  });

  it('needs at least two samples to estimate anything', () => {
    expect(estimateBits([randomBytes(32).toString('base64url')])).toBe(0);
  });

  it('recognises signed JWTs and refuses unsigned ones', () => {
    const header = (alg: string) => Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
    expect(isSignedJwt(`${header('RS256')}.eyJzdWIiOiIxIn0.c2lnbmF0dXJl`)).toBe(true);
    expect(isSignedJwt(`${header('none')}.eyJzdWIiOiIxIn0.`)).toBe(false);
    expect(isSignedJwt(`${header('NONE')}.eyJzdWIiOiIxIn0.c2ln`)).toBe(false);
    expect(isSignedJwt('opaque-token-value')).toBe(false);
  });
});
