import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT, LoginHarnessError, UsageError, exitCodeOf, isLoginHarnessError } from './errors.js';

describe('the error family', () => {
  it('maps every code to exit 2 (the caller fixes it) or 3 (the run broke)', () => {
    for (const [code, exit] of Object.entries(ERROR_CODES)) {
      expect([EXIT.usage, EXIT.broken], code).toContain(exit);
    }
    const callers = Object.entries(ERROR_CODES)
      .filter(([, exit]) => exit === EXIT.usage)
      .map(([code]) => code)
      .sort();
    expect(callers).toEqual([
      'configuration',
      'discovery',
      'incompatible-reports',
      'invalid-baseline',
      'invalid-report',
      'manifest',
      'provider-config',
      'usage',
    ]);
  });

  it('gives an error the exit code of its code, and anything outside the family exit 3', () => {
    expect(exitCodeOf(new LoginHarnessError('manifest', 'client.id: expected a string'))).toBe(2);
    expect(exitCodeOf(new LoginHarnessError('target-start', 'the target exited'))).toBe(3);
    expect(exitCodeOf(new UsageError('bad', { code: 'invalid-baseline' }))).toBe(2);
    expect(exitCodeOf(new Error('a bug'))).toBe(3);
    expect(exitCodeOf('a string')).toBe(3);
  });

  it('names an error after its class and narrows by code', () => {
    const err: unknown = new UsageError('unknown option --x', { command: 'audit' });
    expect((err as Error).name).toBe('UsageError');
    expect(isLoginHarnessError(err, 'usage')).toBe(true);
    expect(isLoginHarnessError(err, 'manifest', 'configuration')).toBe(false);
    expect(isLoginHarnessError(new Error('x'))).toBe(false);
    expect((err as UsageError).command).toBe('audit');
    expect((err as UsageError).code).toBe('usage');
  });
});
