import { createHmac } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportSPKI, importJWK, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PUBLIC_CLIENT,
  authorize,
  codeRequest,
  login,
  obtainCode,
  pkcePair,
  redeem,
  startTestIdp,
} from '../testing/login-flow.js';
import type { Fault, RunningMockIdp } from '../types.js';
import { FAULT_DOCS } from './fault-docs.js';
import { PAR_DPOP_FAULTS } from '../dpop/par-dpop-modes.js';

const NOW = new Date('2026-03-01T10:00:00Z');
let running: RunningMockIdp;
let n = 0;
beforeAll(async () => {
  running = await startTestIdp({ discoveryFaults: ['discovery.iss-parameter'] });
});
afterAll(async () => {
  await running.close();
});

/** A fresh tag with `fault` armed. */
const exercised = new Set<string>();
function armed(fault: Fault): string {
  exercised.add(fault.name);
  const tag = `fault-${++n}`;
  running.idp.faults.arm(tag, fault);
  return tag;
}

async function jwks(): Promise<ReturnType<typeof createLocalJWKSet>> {
  return createLocalJWKSet((await (await fetch(running.idp.endpoints.jwks!)).json()) as { keys: JWK[] });
}

async function idTokenFor(fault: Fault): Promise<string> {
  const tokens = await login(running.idp, PUBLIC_CLIENT, { tag: armed(fault) });
  return tokens.json.id_token as string;
}

describe('callback faults', () => {
  it('discovery fault iss-parameter advertises RFC 9207 and sends iss', async () => {
    expect(running.idp.metadata.authorization_response_iss_parameter_supported).toBe(true);
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT));
    expect(answer.location?.searchParams.get('iss')).toBe(running.idp.issuer);
  });

  it('callback.state-altered returns another state', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), {
      tag: armed({ name: 'callback.state-altered' }),
    });
    expect(answer.location?.searchParams.get('state')).not.toBe('state-0123456789abcdef');
    expect(answer.location?.searchParams.get('state')).toBeTruthy();
    expect(answer.location?.searchParams.get('code')).toBeTruthy();
  });

  it('callback.state-missing leaves state out', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), {
      tag: armed({ name: 'callback.state-missing' }),
    });
    expect(answer.location?.searchParams.has('state')).toBe(false);
    expect(answer.location?.searchParams.get('code')).toBeTruthy();
  });

  it('callback.code-missing leaves the code out and keeps state', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), {
      tag: armed({ name: 'callback.code-missing' }),
    });
    expect(answer.location?.searchParams.has('code')).toBe(false);
    expect(answer.location?.searchParams.get('state')).toBe('state-0123456789abcdef');
  });

  it('callback.error sends the error verbatim, markup included, instead of a code', async () => {
    const tag = armed({
      name: 'callback.error',
      error: 'access_denied',
      errorDescription: '<img src=x onerror=alert(1)>',
    });
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), { tag });
    expect(answer.location?.searchParams.get('error')).toBe('access_denied');
    expect(answer.location?.searchParams.get('error_description')).toBe('<img src=x onerror=alert(1)>');
    expect(answer.location?.searchParams.has('code')).toBe(false);
    expect(answer.location?.searchParams.get('state')).toBe('state-0123456789abcdef');
  });

  it('callback.iss-wrong sends another issuer', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), {
      tag: armed({ name: 'callback.iss-wrong' }),
    });
    expect(answer.location?.searchParams.get('iss')).not.toBe(running.idp.issuer);
    expect(answer.location?.searchParams.get('iss')).toBeTruthy();
  });

  it('callback.iss-other names the issuer it is given', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), {
      tag: armed({ name: 'callback.iss-other', issuer: 'http://127.0.0.1:9/second' }),
    });
    expect(answer.location?.searchParams.get('iss')).toBe('http://127.0.0.1:9/second');
  });

  it('callback.iss-missing leaves iss out although advertised', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), {
      tag: armed({ name: 'callback.iss-missing' }),
    });
    expect(answer.location?.searchParams.has('iss')).toBe(false);
  });

  it('a fault applies to its own tag only', async () => {
    armed({ name: 'callback.state-missing' });
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), { tag: 'unrelated' });
    expect(answer.location?.searchParams.get('state')).toBe('state-0123456789abcdef');
  });

  it('clear removes the tag faults', async () => {
    const tag = armed({ name: 'callback.state-missing' });
    running.idp.faults.clear(tag);
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), { tag });
    expect(answer.location?.searchParams.get('state')).toBe('state-0123456789abcdef');
  });
});

describe('authorize.reject-s256', () => {
  it('refuses S256 with invalid_request and then accepts plain, so a downgrade retry is observable', async () => {
    const tag = armed({ name: 'authorize.reject-s256' });
    const s256 = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), { tag });
    expect(s256.location?.searchParams.get('error')).toBe('invalid_request');
    const { verifier } = pkcePair('plain-retry');
    const plain = await authorize(
      running.idp,
      codeRequest(PUBLIC_CLIENT, { code_challenge: verifier, code_challenge_method: 'plain' }),
      { tag },
    );
    const code = plain.location?.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(running.idp.journal.issued({ tag, kind: 'code' })[0].codeChallengeMethod).toBe('plain');
    expect((await redeem(running.idp, PUBLIC_CLIENT, code!, verifier)).status).toBe(200);
  });
});

describe('token faults', () => {
  it('token.invalid-grant answers invalid_grant', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, { tag: armed({ name: 'token.invalid-grant' }) });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('invalid_grant');
  });

  it('token.malformed no-access-token leaves access_token out', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, {
      tag: armed({ name: 'token.malformed', variant: 'no-access-token' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.json.access_token).toBeUndefined();
    expect(answer.json.token_type).toBe('Bearer');
  });

  it('token.malformed wrong-token-type sends a token_type other than Bearer', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, {
      tag: armed({ name: 'token.malformed', variant: 'wrong-token-type' }),
    });
    expect(answer.json.access_token).toBeTruthy();
    expect(String(answer.json.token_type).toLowerCase()).not.toBe('bearer');
  });

  it('token.malformed not-json answers HTML', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, {
      tag: armed({ name: 'token.malformed', variant: 'not-json' }),
    });
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
  });

  it('token.short-lived advertises expires_in and a matching JWT exp', async () => {
    const tag = armed({ name: 'token.short-lived', expiresIn: 5 });
    const answer = await login(running.idp, PUBLIC_CLIENT, { tag });
    expect(answer.json.expires_in).toBe(5);
    const claims = decodeJwt(answer.json.access_token as string);
    expect(claims.exp! - claims.iat!).toBe(5);
  });
});

describe('ID token faults', () => {
  it('id-token.alg-none sends an unsigned token with the requested alg casing', async () => {
    const token = await idTokenFor({ name: 'id-token.alg-none', alg: 'nOnE' });
    expect(decodeProtectedHeader(token).alg).toBe('nOnE');
    expect(token.endsWith('.')).toBe(true);
    const plain = await idTokenFor({ name: 'id-token.alg-none' });
    expect(decodeProtectedHeader(plain).alg).toBe('none');
  });

  it('id-token.bad-signature fails verification against the JWKS', async () => {
    const token = await idTokenFor({ name: 'id-token.bad-signature' });
    await expect(jwtVerify(token, await jwks(), { currentDate: NOW })).rejects.toThrow(/signature/);
  });

  it('id-token.hs256-public-key is an HMAC keyed with the public key PEM', async () => {
    const token = await idTokenFor({ name: 'id-token.hs256-public-key' });
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const jwk = await running.idp.keys.currentPublicJwk();
    const pem = await exportSPKI(
      (await importJWK({ kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, 'RS256', {
        extractable: true,
      })) as CryptoKey,
    );
    const [h, p, s] = token.split('.');
    expect(createHmac('sha256', pem).update(`${h}.${p}`).digest('base64url')).toBe(s);
  });

  it.each([
    ['id-token.wrong-iss', 'iss'],
    ['id-token.wrong-aud', 'aud'],
    ['id-token.wrong-nonce', 'nonce'],
  ] as const)('%s changes %s and keeps a valid signature', async (name, claim) => {
    const good = decodeJwt(await idTokenFor({ name: 'userinfo.wrong-sub' }));
    const token = await idTokenFor({ name });
    const { payload } = await jwtVerify(token, await jwks(), { currentDate: NOW });
    expect(payload[claim]).toBeTruthy();
    expect(payload[claim]).not.toEqual(good[claim]);
  });

  it('id-token.expired is expired at the provider clock', async () => {
    const token = await idTokenFor({ name: 'id-token.expired' });
    const claims = decodeJwt(token);
    expect(claims.exp! * 1000).toBeLessThan(NOW.getTime());
    await expect(jwtVerify(token, await jwks(), { currentDate: NOW })).rejects.toThrow(/exp/);
  });

  it('id-token.rotated-key signs with a key published only from that moment', async () => {
    const before = (await (await fetch(running.idp.endpoints.jwks!)).json()) as { keys: Array<{ kid: string }> };
    const token = await idTokenFor({ name: 'id-token.rotated-key' });
    const kid = decodeProtectedHeader(token).kid;
    expect(before.keys.map((k) => k.kid)).not.toContain(kid);
    await expect(jwtVerify(token, await jwks(), { currentDate: NOW })).resolves.toBeTruthy();
    const untagged = await login(running.idp, PUBLIC_CLIENT);
    expect(decodeProtectedHeader(untagged.json.id_token as string).kid).not.toBe(kid);
  });
});

describe('userinfo.wrong-sub', () => {
  it('answers with a subject other than the ID token', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT, { tag: armed({ name: 'userinfo.wrong-sub' }) });
    const response = await fetch(running.idp.endpoints.userinfo!, {
      headers: { authorization: `Bearer ${tokens.json.access_token as string}` },
    });
    const claims = (await response.json()) as { sub: string };
    expect(claims.sub).not.toBe(decodeJwt(tokens.json.id_token as string).sub);
  });
});

describe('discovery.pkce-plain-only', () => {
  it('advertises only plain, accepts plain and still accepts S256', async () => {
    const plainOnly = await startTestIdp({ discoveryFaults: ['discovery.pkce-plain-only'] });
    try {
      expect(plainOnly.idp.metadata.code_challenge_methods_supported).toEqual(['plain']);
      const { verifier } = pkcePair('plain-only');
      const plain = await obtainCode(plainOnly.idp, PUBLIC_CLIENT, {
        extra: { code_challenge_method: 'plain' },
        pkce: { verifier, challenge: verifier },
      });
      expect((await redeem(plainOnly.idp, PUBLIC_CLIENT, plain.code, verifier)).status).toBe(200);
      const s256 = await obtainCode(plainOnly.idp, PUBLIC_CLIENT);
      expect((await redeem(plainOnly.idp, PUBLIC_CLIENT, s256.code, s256.verifier)).status).toBe(200);
    } finally {
      await plainOnly.close();
    }
  });
});

describe('fault coverage', () => {
  // Runs last in this file (vitest runs a file's tests in order).
  it('every documented fault was armed by a test above', () => {
    // The DPoP faults need a provider that advertises DPoP; dpop/dpop-par.test.ts arms them.
    expect([...exercised, ...PAR_DPOP_FAULTS].sort()).toEqual(Object.keys(FAULT_DOCS).sort());
  });
});
