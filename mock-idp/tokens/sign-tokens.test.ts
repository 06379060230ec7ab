import { sign } from 'node:crypto';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { KeyStore } from '../keys/key-store.js';
import type { ProviderContext } from '../provider-context.js';
import { signJwt } from './sign-tokens.js';

// The real signature, recorded: whether a call passed a callback tells where it was computed.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, sign: vi.fn(actual.sign) };
});

const PAYLOAD = {
  iss: 'http://127.0.0.1:4000',
  sub: 'c0ffee',
  aud: 'client',
  iat: 1_800_000_000,
  exp: 1_800_000_600,
  nonce: 'n-ü-1',
};

async function contextFor(alg: string): Promise<ProviderContext> {
  return { keys: await KeyStore.create(3, alg) } as unknown as ProviderContext;
}

describe('signJwt', () => {
  it.each(['RS256', 'RS384', 'RS512'])(
    'signs %s exactly as jose does with the same key (PKCS #1 v1.5 signatures are deterministic)',
    async (alg) => {
      const ctx = await contextFor(alg);
      const key = ctx.keys.current;
      const ours = await signJwt(ctx, PAYLOAD, { typ: 'at+jwt' });
      const jose = await new SignJWT(PAYLOAD)
        .setProtectedHeader({ alg, kid: key.kid, typ: 'at+jwt' })
        .sign(await ctx.keys.privateKey(key, alg));
      expect(ours).toBe(jose);
    },
  );

  it.each(['PS256', 'PS512'])('signs %s so that jose verifies it with the published key', async (alg) => {
    const ctx = await contextFor(alg);
    const token = await signJwt(ctx, PAYLOAD);
    const jwk = ctx.keys.jwks().keys[0];
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(jwk, alg), { algorithms: [alg] });
    expect(payload).toEqual(PAYLOAD);
    expect(protectedHeader).toEqual({ alg, kid: ctx.keys.current.kid, typ: 'JWT' });
  });

  it('signs with the key it is given, which a verifier with the current key rejects', async () => {
    const ctx = await contextFor('RS256');
    const next = await ctx.keys.publishNext();
    const token = await signJwt(ctx, PAYLOAD, { key: next });
    const [current, rotated] = ctx.keys.jwks().keys;
    await expect(jwtVerify(token, await importJWK(current, 'RS256'))).rejects.toThrow(/signature/);
    await expect(jwtVerify(token, await importJWK(rotated, 'RS256'))).resolves.toBeTruthy();
  });

  it('writes each token the header of its own call, whichever headers were written before', async () => {
    const ctx = await contextFor('RS256');
    const next = await ctx.keys.publishNext();
    const header = (token: string): unknown => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    for (let round = 0; round < 2; round++) {
      expect(header(await signJwt(ctx, PAYLOAD))).toEqual({ alg: 'RS256', kid: ctx.keys.current.kid, typ: 'JWT' });
      expect(header(await signJwt(ctx, PAYLOAD, { typ: 'at+jwt' }))).toEqual({
        alg: 'RS256',
        kid: ctx.keys.current.kid,
        typ: 'at+jwt',
      });
      expect(header(await signJwt(ctx, PAYLOAD, { noKid: true }))).toEqual({ alg: 'RS256', typ: 'JWT' });
      expect(header(await signJwt(ctx, PAYLOAD, { key: next, alg: 'RS384' }))).toEqual({
        alg: 'RS384',
        kid: next.kid,
        typ: 'JWT',
      });
    }
  });

  it('signs on the event loop for a lone client and on the thread pool while others are served, alike', async () => {
    const ctx = await contextFor('RS256');
    const signed = async (load: Pick<ProviderContext, 'requestsInFlight' | 'othersActive'>): Promise<string> => {
      vi.mocked(sign).mockClear();
      const token = await signJwt({ ...ctx, ...load } as ProviderContext, PAYLOAD);
      expect(vi.mocked(sign)).toHaveBeenCalledTimes(1);
      return token;
    };
    const onThread = (): boolean => typeof vi.mocked(sign).mock.calls[0][3] === 'function';
    const alone = await signed({ requestsInFlight: 1, othersActive: false });
    expect(onThread()).toBe(false);
    expect(await signed({ requestsInFlight: 2, othersActive: false })).toBe(alone);
    expect(onThread()).toBe(true);
    expect(await signed({ requestsInFlight: 1, othersActive: true })).toBe(alone);
    expect(onThread()).toBe(true);
  });
});
