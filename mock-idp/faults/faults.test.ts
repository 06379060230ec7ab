import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportSPKI, importJWK, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PUBLIC_CLIENT,
  authOf,
  authorize,
  codeRequest,
  login,
  obtainCode,
  pkcePair,
  postForm,
  redeem,
  startTestIdp,
} from '../testing/login-flow.js';
import { startMockIdp } from '../transports/node-server.js';
import type { ClientRegistration, Fault, RunningMockIdp } from '../types.js';
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
/** A fresh tag with `fault` armed at another provider than the file's. */
function armedAt(other: RunningMockIdp, fault: Fault): string {
  exercised.add(fault.name);
  const tag = `fault-${++n}`;
  other.idp.faults.arm(tag, fault);
  return tag;
}
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

  it('id-token.aud-missing leaves aud out and keeps a valid signature', async () => {
    const token = await idTokenFor({ name: 'id-token.aud-missing' });
    const { payload } = await jwtVerify(token, await jwks(), { currentDate: NOW });
    expect(payload).not.toHaveProperty('aud');
    expect(payload.sub).toEqual(expect.any(String));
    await expect(
      jwtVerify(token, await jwks(), { currentDate: NOW, audience: PUBLIC_CLIENT.clientId }),
    ).rejects.toThrow(/aud/);
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

describe('relying-party completeness faults (ID tokens)', () => {
  it('id-token.iat leaves iat out, or puts it a day ahead with exp an hour after it', async () => {
    const missing = decodeJwt(await idTokenFor({ name: 'id-token.iat', variant: 'missing' }));
    expect(missing).not.toHaveProperty('iat');
    const future = decodeJwt(await idTokenFor({ name: 'id-token.iat', variant: 'future' }));
    expect(future.iat! - NOW.getTime() / 1000).toBe(86_400);
    expect(future.exp! - future.iat!).toBe(running.idp.settings.idTokenTtl);
  });

  it('id-token.sub-missing leaves sub out', async () => {
    expect(decodeJwt(await idTokenFor({ name: 'id-token.sub-missing' }))).not.toHaveProperty('sub');
  });

  it('id-token.azp adds another audience without azp, or with a wrong azp', async () => {
    const missing = decodeJwt(await idTokenFor({ name: 'id-token.azp', variant: 'missing' }));
    expect(missing.aud).toEqual([PUBLIC_CLIENT.clientId, 'another-client.invalid']);
    expect(missing).not.toHaveProperty('azp');
    const wrong = decodeJwt(await idTokenFor({ name: 'id-token.azp', variant: 'wrong' }));
    expect(wrong.azp).toBe('another-client.invalid');
  });

  it('id-token.at-hash-wrong gives an at_hash that does not match the access token', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT, { tag: armed({ name: 'id-token.at-hash-wrong' }) });
    const accessToken = tokens.json.access_token as string;
    const digest = createHash('sha256').update(accessToken, 'ascii').digest();
    const expected = digest.subarray(0, 16).toString('base64url');
    const claims = decodeJwt(tokens.json.id_token as string);
    expect(claims.at_hash).toEqual(expect.any(String));
    expect(claims.at_hash).not.toBe(expected);
  });

  it('id-token.kid-absent: valid without kid against one key; signed by an unpublished key once several are published', async () => {
    const fresh = await startMockIdp({ seed: 9, clock: () => NOW.getTime() });
    try {
      fresh.idp.registerClient(PUBLIC_CLIENT);
      const fetchSet = async () => (await (await fetch(fresh.idp.endpoints.jwks!)).json()) as { keys: JWK[] };
      const one = (
        await login(fresh.idp, PUBLIC_CLIENT, { tag: armedAt(fresh, { name: 'id-token.kid-absent', jwks: 'one-key' }) })
      ).json.id_token as string;
      expect(decodeProtectedHeader(one)).not.toHaveProperty('kid');
      const oneKey = await fetchSet();
      expect(oneKey.keys).toHaveLength(1);
      await expect(jwtVerify(one, createLocalJWKSet(oneKey), { currentDate: NOW })).resolves.toBeDefined();

      const several = (
        await login(fresh.idp, PUBLIC_CLIENT, {
          tag: armedAt(fresh, { name: 'id-token.kid-absent', jwks: 'several-keys' }),
        })
      ).json.id_token as string;
      expect(decodeProtectedHeader(several)).not.toHaveProperty('kid');
      const severalKeys = await fetchSet();
      expect(severalKeys.keys.length).toBeGreaterThan(1);
      for (const key of severalKeys.keys) {
        await expect(jwtVerify(several, createLocalJWKSet({ keys: [key] }), { currentDate: NOW })).rejects.toThrow();
      }
    } finally {
      await fresh.close();
    }
  });

  it('id-token.refresh-claims changes sub or iss only in ID tokens issued on a refresh', async () => {
    for (const claim of ['sub', 'iss'] as const) {
      const tokens = await login(running.idp, PUBLIC_CLIENT, {
        tag: armed({ name: 'id-token.refresh-claims', claim }),
      });
      const original = decodeJwt(tokens.json.id_token as string);
      expect(original.iss).toBe(running.idp.issuer);
      const refreshed = await postForm(
        running.idp.endpoints.token,
        { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string },
        authOf(PUBLIC_CLIENT),
      );
      const next = decodeJwt(refreshed.json.id_token as string);
      expect(next[claim]).not.toBe(original[claim]);
      const other = claim === 'sub' ? 'iss' : 'sub';
      expect(next[other]).toBe(original[other]);
    }
  });
});

describe('back-channel logout token faults', () => {
  let receiver: Server;
  const received: string[] = [];
  const RP: ClientRegistration = { ...PUBLIC_CLIENT, clientId: 'bcl-faults' };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(400).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    running.idp.registerClient({ ...RP, backchannelLogoutUri: `http://127.0.0.1:${port}/bcl` });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  async function logoutTokenWith(fault: Fault): Promise<string> {
    const tag = armed(fault);
    await login(running.idp, RP, { tag });
    const delivery = await running.idp.logout.backchannel(tag);
    expect(delivery.fault).toBe(fault.name);
    expect(delivery.status).toBe(400);
    return received[received.length - 1];
  }

  it('makes each logout-token fault break exactly the rule it names', async () => {
    const keys = await jwks();
    const verify = (token: string) =>
      jwtVerify(token, keys, {
        issuer: running.idp.issuer,
        audience: RP.clientId,
        algorithms: ['RS256'],
        currentDate: NOW,
      });

    const none = await logoutTokenWith({ name: 'logout-token.alg-none' });
    expect(decodeProtectedHeader(none).alg).toBe('none');
    expect(none.endsWith('.')).toBe(true);
    await expect(verify(await logoutTokenWith({ name: 'logout-token.bad-signature' }))).rejects.toThrow(/signature/);
    await expect(verify(await logoutTokenWith({ name: 'logout-token.wrong-iss' }))).rejects.toThrow(/iss/);
    await expect(verify(await logoutTokenWith({ name: 'logout-token.wrong-aud' }))).rejects.toThrow(/aud/);
    const noEvents = await verify(await logoutTokenWith({ name: 'logout-token.no-events' }));
    expect(noEvents.payload).not.toHaveProperty('events');
    expect(noEvents.payload.sub).toEqual(expect.any(String));
    const nonce = await verify(await logoutTokenWith({ name: 'logout-token.nonce' }));
    expect(nonce.payload.nonce).toEqual(expect.any(String));
    expect(nonce.payload.events).toBeDefined();
    await expect(verify(await logoutTokenWith({ name: 'logout-token.expired' }))).rejects.toThrow(/exp/);
    const wrongEvent = await verify(await logoutTokenWith({ name: 'logout-token.wrong-event' }));
    expect(wrongEvent.payload.events).toEqual({ 'http://schemas.openid.net/event/foobar': {} });
    expect(wrongEvent.payload.sub).toEqual(expect.any(String));

    // Signed with HS256 keyed with the public key PEM: refused by an RS256 allow-list, valid as that HMAC.
    const hs256 = await logoutTokenWith({ name: 'logout-token.hs256-public-key' });
    expect(decodeProtectedHeader(hs256)).toMatchObject({ alg: 'HS256', typ: 'logout+jwt' });
    await expect(verify(hs256)).rejects.toThrow(/alg/i);
    const jwk = await running.idp.keys.currentPublicJwk();
    const pem = await exportSPKI(
      (await importJWK({ kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, 'RS256', {
        extractable: true,
      })) as CryptoKey,
    );
    const [h, p, sig] = hs256.split('.');
    expect(createHmac('sha256', pem).update(`${h}.${p}`).digest('base64url')).toBe(sig);
    expect(decodeJwt(hs256).events).toBeDefined();
  });
});

describe('fault coverage', () => {
  // Runs last in this file (vitest runs a file's tests in order).
  it('every documented fault was armed by a test above', () => {
    // The DPoP faults need a provider that advertises DPoP; dpop/dpop-par.test.ts arms them.
    expect([...exercised, ...PAR_DPOP_FAULTS].sort()).toEqual(Object.keys(FAULT_DOCS).sort());
  });
});
