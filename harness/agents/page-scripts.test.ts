import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { pageScript } from './page-scripts.js';

/**
 * A page function as tsx's esbuild transform (keepNames) emits it: named inner functions wrapped in
 * `__name(...)`, a helper that exists in the Node module only. Built from source so vitest's own
 * compilation (which does not wrap) cannot change it.
 */
const compiledWithNames = new Function(
  'return function (n) { const inc = __name((x) => x + 1, "inc"); return inc(n); };',
)() as (n: number) => number;

describe('pageScript', () => {
  it('runs a function compiled with name-keeping wrappers where no __name exists, as in a page', () => {
    // A fresh context has no __name, like a page: the function sent as it is fails there.
    expect(() => runInNewContext(`(${compiledWithNames.toString()})(1)`)).toThrow(/__name is not defined/);
    expect(runInNewContext(pageScript(compiledWithNames, 1))).toBe(2);
  });

  it('passes its argument as JSON and leaves the context without a __name global', () => {
    const sandbox: Record<string, unknown> = {};
    const echo = (arg: { a: string[] }): string => arg.a.join('+');
    expect(runInNewContext(pageScript(echo, { a: ['x', 'y\'"z'] }), sandbox)).toBe('x+y\'"z');
    expect(
      runInNewContext(
        pageScript(() => typeof globalThis),
        sandbox,
      ),
    ).toBe('object');
    expect(runInNewContext('typeof __name', sandbox)).toBe('undefined');
  });
});
