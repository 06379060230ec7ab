import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import lexofficeDiscovery from '../profiles/lexoffice.json' with { type: 'json' };
import {
  BASIC_CLIENT,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  authOf,
  authorize,
  codeRequest,
  pkcePair,
  postForm,
  startTestIdp,
} from '../testing/login-flow.js';
import type { ClientRegistration, PermissiveMode, RunningMockIdp } from '../types.js';
import { DPOP_IAT_WINDOW_SECONDS, DPOP_JTI_CACHE_MAX, DpopVerifier } from './dpop-proof.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const NOW_S = Math.floor(NOW / 1000);

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

async function proof(
  key: Key,
  htm: string,
  htu: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ htm, htu, jti: randomBytes(12).toString('base64url'), iat: NOW_S, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .sign(key.privateKey);
}

const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

describe('DPoP proof verification (RFC 9449 4.3)', () => {
  const htu = 'http://127.0.0.1:1/oauth2/token';
  const verifier = (clock = () => NOW, checkReplay = true): DpopVerifier =>
    new DpopVerifier({ clock, checkReplay, mintNonce: () => randomBytes(8).toString('base64url') });

  it('accepts a proof of the request and names its key, then refuses the same proof again', async () => {
    const v = verifier();
    const key = await newKey();
    const p = await proof(key, 'POST', htu);
    const first = await v.verify(p, { htm: 'POST', htu });
    expect(first).toMatchObject({ ok: true, jkt: key.jkt });
    const again = await v.verify(p, { htm: 'POST', htu });
    expect(again).toMatchObject({ ok: false, error: 'invalid_dpop_proof' });
    expect(again.info.replayed).toBe(true);
  });

  it('refuses a wrong method, another URI, a stale iat, a missing or wrong ath, and a private jwk', async () => {
    const v = verifier();
    const key = await newKey();
    const cases: Array<[string, Promise<string>, Parameters<DpopVerifier['verify']>[1]]> = [
      ['htm', proof(key, 'GET', htu), { htm: 'POST', htu }],
      ['htu', proof(key, 'POST', 'http://127.0.0.1:1/other'), { htm: 'POST', htu }],
      ['iat', proof(key, 'POST', htu, { iat: NOW_S - DPOP_IAT_WINDOW_SECONDS - 5 }), { htm: 'POST', htu }],
      ['ath missing', proof(key, 'GET', htu), { htm: 'GET', htu, accessToken: 'at' }],
      ['ath wrong', proof(key, 'GET', htu, { ath: ath('other') }), { htm: 'GET', htu, accessToken: 'at' }],
      ['typ', proof(key, 'POST', htu, {}, { typ: 'JWT' }), { htm: 'POST', htu }],
    ];
    for (const [name, p, expected] of cases) {
      const r = await v.verify(await p, expected);
      expect(r.ok, name).toBe(false);
    }
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const leaky = await proof(key, 'POST', htu, {}, { jwk: privateJwk });
    expect((await v.verify(leaky, { htm: 'POST', htu })).ok).toBe(false);
    expect((await v.verify(null, { htm: 'POST', htu })).ok).toBe(false);
    expect((await v.verify(`${await proof(key, 'POST', htu)}, x`, { htm: 'POST', htu })).ok).toBe(false);
  });

  it('asks for the server nonce with use_dpop_nonce and accepts a proof that carries it', async () => {
    const v = verifier();
    const key = await newKey();
    const without = await v.verify(await proof(key, 'POST', htu), { htm: 'POST', htu, nonceRequired: true });
    expect(without).toMatchObject({ ok: false, error: 'use_dpop_nonce' });
    const nonce = v.nonce();
    const withNonce = await v.verify(await proof(key, 'POST', htu, { nonce }), {
      htm: 'POST',
      htu,
      nonceRequired: true,
    });
    expect(withNonce.ok).toBe(true);
    const invented = await v.verify(await proof(key, 'POST', htu, { nonce: 'made-up' }), {
      htm: 'POST',
      htu,
      nonceRequired: true,
    });
    expect(invented).toMatchObject({ ok: false, error: 'use_dpop_nonce' });
  });

  it('keeps the jti cache bounded: entries older than the iat window are forgotten', async () => {
    let now = NOW;
    const v = verifier(() => now);
    const key = await newKey();
    for (let i = 0; i < 5; i++) {
      expect((await v.verify(await proof(key, 'POST', htu), { htm: 'POST', htu })).ok).toBe(true);
    }
    expect(v.replayCacheSize).toBe(5);
    now += 3 * DPOP_IAT_WINDOW_SECONDS * 1000;
    const late = await new SignJWT({ htm: 'POST', htu, jti: 'late', iat: Math.floor(now / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
      .sign(key.privateKey);
    expect((await v.verify(late, { htm: 'POST', htu })).ok).toBe(true);
    expect(v.replayCacheSize).toBe(1);
    expect(DPOP_JTI_CACHE_MAX).toBeGreaterThan(1000);
  });
});

const FAPI_CLIENT: ClientRegistration = { ...BASIC_CLIENT, clientId: 'fapi-client' };
const OTHER_CLIENT: ClientRegistration = {
  ...BASIC_CLIENT,
  clientId: 'other-client',
  clientSecret: 'other-secret-0123456789',
};

let running: RunningMockIdp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function push(client: ClientRegistration, params: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(running!.idp.endpoints.par!, params, authOf(client), { headers });
}

describe('the fapi2 profile: PAR and DPoP required', () => {
  it('advertises PAR (required), DPoP algorithms and RFC 9207, and no public clients', async () => {
    running = await startTestIdp({ profile: 'fapi2' }, [FAPI_CLIENT]);
    const m = running.idp.metadata;
    expect(m.pushed_authorization_request_endpoint).toBe(running.idp.endpoints.par);
    expect(m.require_pushed_authorization_requests).toBe(true);
    expect(m.dpop_signing_alg_values_supported).toEqual(['ES256', 'PS256', 'EdDSA']);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.token_endpoint_auth_methods_supported).not.toContain('none');
    expect(() => running!.idp.registerClient(PUBLIC_CLIENT)).toThrow(/not advertised/);
  });

  it('runs a pushed login: request_uri once, for its own client only; a plain request is refused', async () => {
    running = await startTestIdp({ profile: 'fapi2' }, [FAPI_CLIENT, OTHER_CLIENT]);
    const { idp } = running;
    const pkce = pkcePair('par');
    const pushed = await push(FAPI_CLIENT, codeRequest(FAPI_CLIENT, {}, pkce));
    expect(pushed.status).toBe(201);
    expect(pushed.json.expires_in).toBe(60);
    const requestUri = pushed.json.request_uri as string;
    expect(requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:/);

    const stolen = await authorize(idp, { client_id: OTHER_CLIENT.clientId, request_uri: requestUri });
    expect(stolen.status).toBe(400);
    const own = await authorize(idp, { client_id: FAPI_CLIENT.clientId, request_uri: requestUri });
    expect(own.location?.searchParams.get('code')).toBeTruthy();
    expect(own.location?.searchParams.get('iss')).toBe(idp.issuer);
    const again = await authorize(idp, { client_id: FAPI_CLIENT.clientId, request_uri: requestUri });
    expect(again.status).toBe(400);
    expect(again.location).toBeUndefined();

    const plain = await authorize(idp, codeRequest(FAPI_CLIENT));
    expect(plain.location?.searchParams.get('error')).toBe('invalid_request');
    const entry = idp.journal.entries({ endpoint: 'authorization' }).find((e) => e.authorization?.frontChannel);
    expect(Object.keys(entry!.authorization!.frontChannel!).sort()).toEqual(['client_id', 'request_uri']);
    expect(entry!.authorization!.params.code_challenge).toBe(pkce.challenge);
  });

  it('refuses an expired request_uri and a pushed request_uri parameter', async () => {
    let now = NOW;
    running = await startTestIdp({ profile: 'fapi2', clock: () => now }, [FAPI_CLIENT]);
    const pushed = await push(FAPI_CLIENT, codeRequest(FAPI_CLIENT));
    now += 61_000;
    const late = await authorize(running.idp, {
      client_id: FAPI_CLIENT.clientId,
      request_uri: pushed.json.request_uri as string,
    });
    expect(late.status).toBe(400);
    expect(late.body).toContain('expired');
    const nested = await push(FAPI_CLIENT, { ...codeRequest(FAPI_CLIENT), request_uri: 'urn:x' });
    expect(nested.status).toBe(400);
  });

  async function code(idp: RunningMockIdp['idp'], client: ClientRegistration, headers: Record<string, string> = {}) {
    const pkce = pkcePair(`c${Math.random()}`);
    const pushed = await push(client, codeRequest(client, {}, pkce), headers);
    const answer = await authorize(idp, { client_id: client.clientId, request_uri: pushed.json.request_uri as string });
    return { code: answer.location!.searchParams.get('code')!, verifier: pkce.verifier };
  }

  it('issues DPoP-bound tokens only for a valid proof; the API wants the DPoP scheme and the bound key', async () => {
    // The binding alone: the profile's resource nonces are switched off by the explicit setting.
    running = await startTestIdp({ profile: 'fapi2', settings: { resourceDpopNonce: false } }, [FAPI_CLIENT]);
    const { idp } = running;
    const key = await newKey();
    const c1 = await code(idp, FAPI_CLIENT);
    const params = (c: { code: string; verifier: string }) => ({
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: c.verifier,
    });
    const noProof = await postForm(idp.endpoints.token, params(c1), authOf(FAPI_CLIENT));
    expect(noProof.status).toBe(400);
    const c2 = await code(idp, FAPI_CLIENT);
    const tokens = await postForm(idp.endpoints.token, params(c2), authOf(FAPI_CLIENT), {
      headers: { dpop: await proof(key, 'POST', idp.endpoints.token) },
    });
    expect(tokens.status).toBe(200);
    expect(tokens.json.token_type).toBe('DPoP');
    const at = tokens.json.access_token as string;
    expect(decodeJwt(at).cnf).toEqual({ jkt: key.jkt });

    const api = `${idp.apiBaseUrl}/v1/profile`;
    const call = async (authorization: string, dpop?: string) =>
      (await fetch(api, { headers: { authorization, ...(dpop ? { dpop } : {}) } })).status;
    expect(await call(`DPoP ${at}`, await proof(key, 'GET', api, { ath: ath(at) }))).toBe(200);
    expect(await call(`Bearer ${at}`)).toBe(401);
    expect(await call(`DPoP ${at}`)).toBe(401);
    expect(await call(`DPoP ${at}`, await proof(await newKey(), 'GET', api, { ath: ath(at) }))).toBe(401);
    expect(await call(`DPoP ${at}`, await proof(key, 'GET', api))).toBe(401);
    const apiEntry = idp.journal.entries({ endpoint: 'api' })[0];
    expect(apiEntry.bearer).toMatchObject({ scheme: 'DPoP', bound: true, valid: true });
    expect(apiEntry.dpop).toMatchObject({ valid: true, htm: 'GET', jkt: key.jkt });
  });

  it('demands a resource-server nonce at the API: 401 use_dpop_nonce with DPoP-Nonce, then the retry with it', async () => {
    running = await startTestIdp({ profile: 'fapi2' }, [FAPI_CLIENT]);
    const { idp } = running;
    expect(idp.settings.resourceDpopNonce).toBe(true);
    const key = await newKey();
    const c = await code(idp, FAPI_CLIENT);
    const tokens = await postForm(
      idp.endpoints.token,
      { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT_URI, code_verifier: c.verifier },
      authOf(FAPI_CLIENT),
      { headers: { dpop: await proof(key, 'POST', idp.endpoints.token) } },
    );
    // The token endpoint does not ask for a nonce (no dpop.use-nonce fault, no dpopNonce setting).
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('dpop-nonce')).toBeNull();
    const at = tokens.json.access_token as string;
    const api = `${idp.apiBaseUrl}/v1/profile`;
    const call = (dpop: string) => fetch(api, { headers: { authorization: `DPoP ${at}`, dpop } });

    const first = await call(await proof(key, 'GET', api, { ath: ath(at) }));
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce", error_description=/);
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    // A nonce the server never handed out is answered like none at all, with a fresh one.
    const invented = await call(await proof(key, 'GET', api, { ath: ath(at), nonce: 'made-up' }));
    expect(invented.status).toBe(401);
    expect(invented.headers.get('www-authenticate')).toContain('use_dpop_nonce');
    // Another key's proof is refused as such, and is told no nonce: only the token's holder is.
    const other = await call(await proof(await newKey(), 'GET', api, { ath: ath(at) }));
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toContain('invalid_token');
    expect(other.headers.get('dpop-nonce')).toBeNull();

    const retry = await call(await proof(key, 'GET', api, { ath: ath(at), nonce }));
    expect(retry.status).toBe(200);
    const entries = idp.journal.entries({ endpoint: 'api' });
    expect(entries.map((e) => e.response.status)).toEqual([401, 401, 401, 200]);
    expect(entries[0].dpop).toMatchObject({ present: true, valid: false, jkt: key.jkt });
    expect(entries[3].dpop).toMatchObject({ valid: true, nonce });
  });

  it('keeps the API free of nonces in the lexoffice profile, and on when a setting asks for them', async () => {
    running = await startTestIdp({ profile: 'fapi2', settings: { resourceDpopNonce: false } }, [FAPI_CLIENT]);
    expect(running.idp.settings.resourceDpopNonce).toBe(false);
    await running.close();
    running = await startTestIdp({ profile: 'lexoffice' });
    expect(running.idp.settings.resourceDpopNonce).toBe(false);
    await running.close();
    running = await startTestIdp({ profile: 'lexoffice', settings: { resourceDpopNonce: true } });
    expect(running.idp.settings.resourceDpopNonce).toBe(true);
  });

  it('binds the code to the key of the proof sent to the PAR endpoint (RFC 9449 10)', async () => {
    running = await startTestIdp({ profile: 'fapi2' }, [FAPI_CLIENT]);
    const { idp } = running;
    const key = await newKey();
    const c = await code(idp, FAPI_CLIENT, { dpop: await proof(key, 'POST', idp.endpoints.par!) });
    const body = {
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: c.verifier,
    };
    const other = await postForm(idp.endpoints.token, body, authOf(FAPI_CLIENT), {
      headers: { dpop: await proof(await newKey(), 'POST', idp.endpoints.token) },
    });
    expect(other.json.error).toBe('invalid_grant');
  });

  it('with the dpop.use-nonce fault, answers use_dpop_nonce with a DPoP-Nonce header, then accepts it', async () => {
    running = await startTestIdp({ profile: 'fapi2' }, [FAPI_CLIENT]);
    const { idp } = running;
    idp.faults.arm('t1', { name: 'dpop.use-nonce' });
    const key = await newKey();
    const pkce = pkcePair('nonce');
    const pushed = await push(FAPI_CLIENT, codeRequest(FAPI_CLIENT, {}, pkce), { 'x-login-harness-tag': 't1' });
    const answer = await authorize(
      idp,
      { client_id: FAPI_CLIENT.clientId, request_uri: pushed.json.request_uri as string },
      { tag: 't1' },
    );
    const body = {
      grant_type: 'authorization_code',
      code: answer.location!.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce.verifier,
    };
    const first = await postForm(idp.endpoints.token, body, authOf(FAPI_CLIENT), {
      headers: { dpop: await proof(key, 'POST', idp.endpoints.token) },
    });
    expect(first.status).toBe(400);
    expect(first.json.error).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const second = await postForm(idp.endpoints.token, body, authOf(FAPI_CLIENT), {
      headers: { dpop: await proof(key, 'POST', idp.endpoints.token, { nonce }) },
    });
    expect(second.status).toBe(200);
  });
});

describe('DPoP refresh binding of public clients (RFC 9449 5)', () => {
  it('binds a public client’s refresh token to the proof key; confidential clients’ are not bound', async () => {
    running = await startTestIdp({
      discovery: { ...lexofficeDiscovery, dpop_signing_alg_values_supported: ['ES256'] },
    });
    const { idp } = running;
    const key = await newKey();
    const pkce = pkcePair('refresh');
    const answer = await authorize(idp, codeRequest(PUBLIC_CLIENT, {}, pkce));
    const tokens = await postForm(
      idp.endpoints.token,
      {
        grant_type: 'authorization_code',
        code: answer.location!.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce.verifier,
      },
      authOf(PUBLIC_CLIENT),
      { headers: { dpop: await proof(key, 'POST', idp.endpoints.token) } },
    );
    const rt = tokens.json.refresh_token as string;
    const refresh = (headers: Record<string, string>) =>
      postForm(idp.endpoints.token, { grant_type: 'refresh_token', refresh_token: rt }, authOf(PUBLIC_CLIENT), {
        headers,
      });
    expect((await refresh({})).json.error).toBe('invalid_grant');
    expect((await refresh({ dpop: await proof(await newKey(), 'POST', idp.endpoints.token) })).json.error).toBe(
      'invalid_grant',
    );
    const ok = await refresh({ dpop: await proof(key, 'POST', idp.endpoints.token) });
    expect(ok.status).toBe(200);
    expect(ok.json.token_type).toBe('DPoP');
  });

  it('with dpop-refresh-not-bound, the bound refresh token works without a proof', async () => {
    running = await startTestIdp({
      discovery: { ...lexofficeDiscovery, dpop_signing_alg_values_supported: ['ES256'] },
      permissive: ['dpop-refresh-not-bound'],
    });
    const { idp } = running;
    const pkce = pkcePair('lax');
    const answer = await authorize(idp, codeRequest(PUBLIC_CLIENT, {}, pkce));
    const tokens = await postForm(
      idp.endpoints.token,
      {
        grant_type: 'authorization_code',
        code: answer.location!.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce.verifier,
      },
      authOf(PUBLIC_CLIENT),
      { headers: { dpop: await proof(await newKey(), 'POST', idp.endpoints.token) } },
    );
    const again = await postForm(
      idp.endpoints.token,
      { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string },
      authOf(PUBLIC_CLIENT),
    );
    expect(again.status).toBe(200);
    expect(again.json.token_type).toBe('Bearer');
  });
});

describe('the PAR and DPoP permissive modes, each against the strict provider', () => {
  const MODERN = {
    ...lexofficeDiscovery,
    pushed_authorization_request_endpoint: 'https://login.lexoffice.io/oauth2/par',
    require_pushed_authorization_requests: true,
    dpop_signing_alg_values_supported: ['ES256'],
  };
  type Probe = (r: RunningMockIdp) => Promise<unknown>;
  const pushFor = async (r: RunningMockIdp, client: ClientRegistration): Promise<string> =>
    (await postForm(r.idp.endpoints.par!, codeRequest(client), authOf(client))).json.request_uri as string;
  const codeOf = (a: { location?: URL }): boolean => Boolean(a.location?.searchParams.get('code'));
  const boundToken = async (r: RunningMockIdp, key: Key): Promise<string> => {
    const pkce = pkcePair(`bound${Math.random()}`);
    const uri = (await postForm(r.idp.endpoints.par!, codeRequest(BASIC_CLIENT, {}, pkce), authOf(BASIC_CLIENT))).json
      .request_uri as string;
    const answer = await authorize(r.idp, { client_id: BASIC_CLIENT.clientId, request_uri: uri });
    const tokens = await postForm(
      r.idp.endpoints.token,
      {
        grant_type: 'authorization_code',
        code: answer.location!.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce.verifier,
      },
      authOf(BASIC_CLIENT),
      { headers: { dpop: await proof(key, 'POST', r.idp.endpoints.token) } },
    );
    return tokens.json.access_token as string;
  };
  const CASES: Array<{ mode: PermissiveMode; probe: Probe; strict: unknown; permissive: unknown }> = [
    {
      mode: 'par-not-required',
      probe: async (r) => codeOf(await authorize(r.idp, codeRequest(BASIC_CLIENT))),
      strict: false,
      permissive: true,
    },
    {
      mode: 'request-uri-reusable',
      probe: async (r) => {
        const uri = await pushFor(r, BASIC_CLIENT);
        await authorize(r.idp, { client_id: BASIC_CLIENT.clientId, request_uri: uri });
        return codeOf(await authorize(r.idp, { client_id: BASIC_CLIENT.clientId, request_uri: uri }));
      },
      strict: false,
      permissive: true,
    },
    {
      mode: 'request-uri-not-bound',
      probe: async (r) => {
        const uri = await pushFor(r, BASIC_CLIENT);
        return codeOf(await authorize(r.idp, { client_id: POST_CLIENT_ID, request_uri: uri }));
      },
      strict: false,
      permissive: true,
    },
    {
      mode: 'dpop-binding-not-checked',
      probe: async (r) => {
        const at = await boundToken(r, await newKey());
        return (await fetch(`${r.idp.apiBaseUrl}/v1/profile`, { headers: { authorization: `Bearer ${at}` } })).status;
      },
      strict: 401,
      permissive: 200,
    },
    {
      mode: 'dpop-replay-not-detected',
      probe: async (r) => {
        const key = await newKey();
        const at = await boundToken(r, key);
        const api = `${r.idp.apiBaseUrl}/v1/profile`;
        const p = await proof(key, 'GET', api, { ath: ath(at) });
        const call = async () => (await fetch(api, { headers: { authorization: `DPoP ${at}`, dpop: p } })).status;
        return [await call(), await call()];
      },
      strict: [200, 401],
      permissive: [200, 200],
    },
  ];
  it.each(CASES)('$mode changes what the provider does', async ({ mode, probe, strict, permissive }) => {
    const clients = [
      BASIC_CLIENT,
      { ...BASIC_CLIENT, clientId: POST_CLIENT_ID, clientSecret: 'second-secret-0123456789' },
    ];
    const a = await startTestIdp({ discovery: MODERN }, clients);
    const b = await startTestIdp({ discovery: MODERN, permissive: [mode] }, clients);
    try {
      expect(await probe(a)).toEqual(strict);
      expect(await probe(b)).toEqual(permissive);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

const POST_CLIENT_ID = 'second-client';
