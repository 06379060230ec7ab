import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from '../../mock-idp/index.js';
import type { RunningMockIdp } from '../../mock-idp/types.js';
import { authorize, startExample, UserAgent, type RunningExample } from '../shared/test-support.js';

describe('reference-fapi2 (openid-client with PAR and DPoP) against the fapi2 profile', () => {
  let mock: RunningMockIdp;
  let app: RunningExample;
  beforeAll(async () => {
    mock = await startMockIdp({ profile: 'fapi2', seed: 11 });
    app = await startExample('reference-fapi2', mock.idp);
  });
  afterAll(async () => {
    await app?.stop();
    await mock?.close();
  });

  it('signs in through PAR, redeems and calls the API with DPoP, and refreshes with the same key', async () => {
    const tag = 'fapi2-login';
    mock.idp.faults.arm(tag, { name: 'dpop.use-nonce' });
    const ua = new UserAgent();
    const { authorizationUrl, callbackUrl } = await authorize(ua, `${app.origin}/login`, mock.idp, tag);
    expect([...new URL(authorizationUrl).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    await ua.follow(callbackUrl);
    const me = await ua.get(`${app.origin}/me`);
    expect(me.status).toBe(200);
    expect(me.body).toContain('Signed in');

    const token = mock.idp.journal.entries({ tag, endpoint: 'token' });
    // The provider demanded a nonce: the first proof is answered use_dpop_nonce, the retry carries it.
    expect(token.map((e) => e.token?.error ?? e.token?.outcome)).toEqual(['use_dpop_nonce', 'issued']);
    expect(token[1].dpop).toMatchObject({ valid: true, nonce: token[0].response.headers['dpop-nonce'] });
    const api = mock.idp.journal.entries({ tag, endpoint: 'api' });
    expect(api.at(-1)?.bearer).toMatchObject({ scheme: 'DPoP', bound: true, valid: true });
    expect(api.at(-1)?.dpop?.jkt).toBe(token[1].dpop?.jkt);

    // Ending the access token's life makes /me refresh (with a proof of the same key) and call again.
    mock.idp.faults.expireAccessTokens(tag);
    const again = await ua.get(`${app.origin}/me`);
    expect(again.status).toBe(200);
    const refreshes = mock.idp.journal
      .entries({ tag, endpoint: 'token' })
      .filter((e) => e.token?.grantType === 'refresh_token');
    expect(refreshes.at(-1)?.token?.outcome).toBe('issued');
    expect(refreshes.at(-1)?.dpop?.jkt).toBe(token[1].dpop?.jkt);
  });
});
