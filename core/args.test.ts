import { describe, expect, it } from 'vitest';
import { choiceFlag, UsageError } from './args.js';

const POLICIES = ['rfc9700', 'strict', 'fapi2'] as const;

describe('choiceFlag', () => {
  it('returns the chosen value, and nothing when the flag was not given (so a file default can apply)', () => {
    expect(choiceFlag('strict', '--policy', POLICIES)).toBe('strict');
    expect(choiceFlag(' fapi2 ', '--policy', POLICIES)).toBe('fapi2');
    expect(choiceFlag(undefined, '--policy', POLICIES)).toBeUndefined();
  });

  it('refuses an unknown value as a usage error that names the flag and lists the valid values', () => {
    const err = (() => {
      try {
        choiceFlag('lax', '--policy', POLICIES);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toBe('--policy: unknown value "lax" (valid: rfc9700, strict, fapi2)');
  });
});
