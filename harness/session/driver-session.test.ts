import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockIdp, type RunningMockIdp } from '../../mock-idp/index.js';
import { DriverProcess } from '../agents/driver.js';
import type { ResolvedTarget } from '../types.js';
import { tagHeadersFor } from './common.js';
import { DriverSession } from './driver-session.js';

const DRIVER = fileURLToPath(new URL('./fixtures/tiny-driver.mjs', import.meta.url));
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

describe('DriverSession against a driver and the mock provider', () => {
  let provider: RunningMockIdp;
  let driver: DriverProcess;
  let session: (id: string, tag?: string) => DriverSession;

  beforeEach(async () => {
    provider = await startMockIdp({ seed: 5 });
    const idp = provider.idp;
    idp.registerClient({
      clientId: 'tiny-driver',
      clientSecret: 'tiny-driver-secret',
      authMethod: 'client_secret_basic',
      redirectUris: [REDIRECT_URI],
    });
    const target: ResolvedTarget = {
      name: 'tiny-driver',
      kind: 'driver',
      dir: '.',
      profile: 'lexoffice',
      client: {
        id: 'tiny-driver',
        secret: 'tiny-driver-secret',
        authMethod: 'client_secret_basic',
        redirectUri: REDIRECT_URI,
        scopes: ['openid'],
      },
      start: {
        command: [process.execPath, DRIVER],
        cwd: '.',
        env: {
          AUTH_ENDPOINT: idp.endpoints.authorization,
          TOKEN_ENDPOINT: idp.endpoints.token,
          API_BASE: idp.apiBaseUrl,
          CLIENT_ID: 'tiny-driver',
          CLIENT_SECRET: 'tiny-driver-secret',
          REDIRECT_URI,
        },
        ready: { stdout: '' },
        timeoutMs: 5_000,
      },
    };
    driver = await DriverProcess.start(target);
    session = (id: string, tag = 'tag-driver') =>
      new DriverSession(
        { id, tag, target, idp, tagHeaders: tagHeadersFor(idp, tag), signal: new AbortController().signal },
        driver,
      );
  });
  afterEach(async () => {
    await driver?.stop();
    await provider?.close();
  });

  it('signs in by handing the provider redirect to callback, without fetching the redirect URI', async () => {
    const s = session('a');
    const { request, response, callback } = await s.login();
    expect(request.params).toMatchObject({ client_id: 'tiny-driver', code_challenge_method: 'S256' });
    expect(response.callbackUrl?.startsWith(REDIRECT_URI)).toBe(true);
    expect(callback).toEqual({ ok: true });
    expect(await s.isSignedIn()).toBe(true);
    expect(await s.api('/v1/profile')).toBe('ok');
    // The redirect URI (port 9, nothing listens) was never requested: only the provider was.
    expect(s.transcript().some((e) => e.url.startsWith(REDIRECT_URI) && e.agent === 'http')).toBe(false);
    expect(
      s
        .transcript()
        .filter((e) => e.agent === 'driver')
        .map((e) => e.method),
    ).toEqual(['authorize', 'callback', 'api', 'api']);
    expect(provider.idp.journal.entries({ tag: 'tag-driver', endpoint: 'token' })).toHaveLength(1);
  });

  it('keeps driver sessions apart and reports ops the driver does not implement as unsupported', async () => {
    const a = session('a');
    const b = session('b');
    await a.login();
    expect(await a.isSignedIn()).toBe(true);
    expect(await b.isSignedIn()).toBe(false);
    expect(await a.refresh()).toBe('unsupported');
    expect(await a.logout()).toBe('ok');
    expect(await a.isSignedIn()).toBe(false);
    await expect(a.request({ url: 'http://127.0.0.1:9/' })).rejects.toThrow(/no user agent/);
  });

  it('is not signed in after a callback with an altered state', async () => {
    const s = session('c');
    const request = await s.startLogin();
    const response = await s.approve(request);
    const altered = new URL(response.callbackUrl ?? '');
    altered.searchParams.set('state', 'forged');
    expect(await s.deliver(altered.href)).toEqual({ ok: false, error: 'state mismatch' });
    expect(await s.isSignedIn()).toBe(false);
  });

  it('ends in a target error when the driver exits during an op', async () => {
    const s = session('d');
    await s.startLogin();
    await expect(s.deliver(`${REDIRECT_URI}?die=1`)).rejects.toMatchObject({ errorKind: 'target' });
    await expect(s.api()).rejects.toMatchObject({ errorKind: 'target' });
  });
});
