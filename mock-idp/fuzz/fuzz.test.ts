import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PermissiveMode } from '../types.js';
import { runFuzz } from './fuzz.js';
import { commandsOf, createReal, fuzzProperty, Model, runSequence, type Op } from './model.js';

const authorize: Op = { kind: 'authorize', client: 'public', tag: 0, mutation: 'none' };
const redeem: Op = { kind: 'redeem', pick: 0, mutation: 'none' };
const refresh: Op = { kind: 'refresh', pick: 0, mutation: 'none' };

describe('stateful fuzz of the strict mock provider', () => {
  it('keeps every strict promise over a short run of random sequences (fixed seed)', async () => {
    await fc.assert(fuzzProperty(30), { numRuns: 40, seed: 20260301 });
  }, 60_000);

  it.each([
    ['codes-reusable', [authorize, redeem, redeem], /a code redeems once/],
    [
      'refresh-reuse-not-detected',
      [
        authorize,
        redeem,
        refresh,
        { kind: 'refresh', pick: 1, mutation: 'none' },
        { kind: 'userinfo', pick: 0, mutation: 'none' },
      ],
      /no token works once dead \(grant dead\)/,
    ],
    [
      'verifier-not-checked',
      [authorize, { kind: 'redeem', pick: 0, mutation: 'wrong-verifier' }],
      /mutated code redemption/,
    ],
  ] as Array<[PermissiveMode, Op[], RegExp]>)(
    'flags the permissive mode %s, which breaks a strict promise',
    async (mode, ops, message) => {
      const real = await createReal(false, [mode]);
      await expect(fc.asyncModelRun(() => ({ model: new Model(false), real }), commandsOf(ops))).rejects.toThrow(
        message,
      );
    },
  );
});

describe('fuzz regressions (shrunk sequences)', () => {
  it('a code replayed while its first redemption is being issued leaves no working token', async () => {
    // Was: the replay revoked the (still empty) grant, then the first redemption added live tokens to it.
    await runSequence(
      commandsOf([authorize, { kind: 'parallel', ops: [redeem, redeem] }, { kind: 'api', pick: 0, mutation: 'none' }]),
      false,
    );
    const real = await createReal(false);
    const model = new Model(false);
    await fc.asyncModelRun(
      () => ({ model, real }),
      commandsOf([authorize, { kind: 'parallel', ops: [redeem, redeem] }]),
    );
    const [access] = model.tokens.filter((t) => t.kind === 'access');
    expect(access).toBeDefined();
    const res = await real.idp.handle(
      new Request(`${real.idp.apiBaseUrl}/v1/profile`, { headers: { authorization: `Bearer ${access.value}` } }),
    );
    expect(res.status).toBe(401);
  });

  it('a refresh token reused while its rotation is being issued leaves no working token', async () => {
    const ops: Op[] = [
      authorize,
      redeem,
      { kind: 'parallel', ops: [refresh, refresh] },
      { kind: 'userinfo', pick: 0, mutation: 'none' },
      { kind: 'refresh', pick: 0, mutation: 'none' },
    ];
    await runSequence(commandsOf(ops), false);
  });

  it('a refresh raced by a reuse from another client leaves the grant dead, and the model does not expect it alive', async () => {
    // Found by the long run: the strict provider was right (the reuse revoked the grant, tokens issued
    // meanwhile included); the model had counted the first step of a parallel group as running alone.
    const ops: Op[] = [
      authorize,
      { kind: 'parallel', ops: [redeem, refresh, { kind: 'userinfo', pick: 0, mutation: 'none' }] },
      { kind: 'parallel', ops: [refresh, { kind: 'refresh', pick: 0, mutation: 'other-client' }] },
      { kind: 'userinfo', pick: 0, mutation: 'none' },
    ];
    await runSequence(commandsOf(ops), false);
  });

  it('a redeemed code is kept while its grant lives, however many codes follow, so its replay still revokes the grant', async () => {
    // Was (bounded store): the code cap dropped the redeemed code, and its replay no longer revoked the grant.
    const ops: Op[] = [
      authorize,
      authorize,
      { kind: 'redeem', pick: 1, mutation: 'none' },
      authorize,
      authorize,
      {
        kind: 'parallel',
        ops: [
          { kind: 'redeem', pick: 3, mutation: 'none' },
          { kind: 'redeem', pick: 3, mutation: 'none' },
        ],
      },
      refresh,
    ];
    await runSequence(commandsOf(ops), true);
  });
});

describe('npm run fuzz', () => {
  it('prints the sequences run, the distinct states reached and the failures', async () => {
    const lines: string[] = [];
    expect(await runFuzz(['--sequences', '3', '--seed', '5', '--max-commands', '10'], (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/sequences run: 3 \(of 3\)/);
    expect(text).toMatch(/distinct states reached: [1-9]\d*/);
    expect(text).toMatch(/failures: 0/);
  });

  it('refuses a sequence count that is not a number, exit 2', async () => {
    expect(await runFuzz(['--sequences', 'many'], () => undefined)).toBe(2);
  });
});
