import { afterEach, describe, expect, it } from 'vitest';
import type { MockIdp } from '../../mock-idp/types.js';
import { validateManifest } from '../manifest/index.js';
import { createEnvironment } from './client-environment.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A web manifest without `start` (nothing is started), with `extra` merged in. */
const template = (extra: Record<string, unknown>) =>
  validateManifest(
    {
      name: 'env-test',
      kind: 'web',
      client: {
        id: 'env-test',
        secret: 's3cret',
        redirectUri: 'http://127.0.0.1:{{target.port}}/cb',
        scopes: ['openid'],
      },
      login: { url: 'http://127.0.0.1:{{target.port}}/login?second={{idp.issuer}}' },
      signedIn: { url: 'http://127.0.0.1:{{target.port}}/me' },
      ...extra,
    },
    '/',
  );

/** Where the provider sends the person for a plain authorization request of the registered client. */
async function authorize(idp: MockIdp, redirectUri: string): Promise<URL> {
  const url = new URL(idp.endpoints.authorization);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'env-test',
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGcSGwaCxM',
    code_challenge_method: 'S256',
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

describe('the client environment', () => {
  it('runs one provider for a manifest without providers, as its profile describes it', async () => {
    const idps: MockIdp[] = [];
    const env = await createEnvironment(template({}), 1, [], new AbortController().signal, idps, cleanups);
    expect(idps).toHaveLength(1);
    expect(env.idp2).toBeUndefined();
    expect(env.target.providers).toBeUndefined();
    expect(env.idp.metadata.authorization_response_iss_parameter_supported).toBeUndefined();
  });

  it('runs a second issuer with its own keys, the same client and RFC 9207 at both for "providers": 2', async () => {
    const idps: MockIdp[] = [];
    const m = template({
      providers: 2,
      login: { url: 'http://127.0.0.1:{{target.port}}/login?second={{idp2.issuer}}' },
    });
    const env = await createEnvironment(m, 1, [], new AbortController().signal, idps, cleanups);
    const idp2 = env.idp2;
    if (!idp2) throw new Error('no second provider');
    expect(idps).toEqual([env.idp, idp2]);
    expect(idp2.issuer).not.toBe(env.idp.issuer);
    expect(idp2.profile).toBe(env.idp.profile);
    expect(env.target.login?.url).toContain(`second=${idp2.issuer}`);
    const keys = async (idp: MockIdp) =>
      ((await (await fetch(idp.endpoints.jwks ?? '')).json()) as { keys: Array<{ n?: string }> }).keys.map((k) => k.n);
    expect(await keys(idp2)).not.toEqual(await keys(env.idp));
    for (const idp of [env.idp, idp2]) {
      expect(idp.metadata.authorization_response_iss_parameter_supported).toBe(true);
      // The same client, with the same redirect URI, is registered at both: each answers with a code and its own iss.
      const back = await authorize(idp, env.target.client.redirectUri);
      expect(back.origin + back.pathname).toBe(env.target.client.redirectUri);
      expect(back.searchParams.get('iss')).toBe(idp.issuer);
      expect(back.searchParams.get('code')).toBeTruthy();
    }
  });

  it('keeps a check’s discovery faults at the first provider only', async () => {
    const idps: MockIdp[] = [];
    const env = await createEnvironment(
      template({ providers: 2 }),
      1,
      ['discovery.pkce-plain-only'],
      new AbortController().signal,
      idps,
      cleanups,
    );
    expect(env.idp.metadata.code_challenge_methods_supported).toEqual(['plain']);
    expect(env.idp2?.metadata.code_challenge_methods_supported).toEqual(['S256']);
  });
});
