import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The project's own source files (tests included) under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** JavaScript's own error classes: a class deriving from one of them directly is outside the family. */
const BUILT_IN_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'AggregateError',
]);

describe('membership of the family', () => {
  it('has every error class of the harness, the mock, the reports and the catalog derive from the base', () => {
    // examples/ are left out on purpose: they are independent programs (reference clients, labs) and
    // must not import the harness, so their errors (e.g. LoginError) stay plain.
    const files = ['core', 'harness', 'mock-idp', 'reports', 'scenarios', 'api', 'scripts'].flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    const outside: string[] = [];
    for (const file of files) {
      if (file === join('core', 'errors.ts')) continue;
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\bclass\s+(\w+)(?:<[^>]*>)?\s+extends\s+(\w*Error)\b/g)) {
        if (BUILT_IN_ERRORS.has(m[2])) outside.push(`${file}: ${m[1]} extends ${m[2]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
