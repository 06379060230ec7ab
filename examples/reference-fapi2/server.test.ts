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

  it('signs in through PAR, redeems and calls the API with DPoP (following both servers’ nonces), and refreshes with the same key', async () => {
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
    // The API demands its own nonce too (RFC 9449 9, on in the fapi2 profile): the first call is
    // answered 401 use_dpop_nonce with a DPoP-Nonce, and openid-client repeats it with that nonce.
    expect(api.map((e) => e.response.status)).toEqual([401, 200]);
    expect(api[0].response.headers['www-authenticate']).toContain('error="use_dpop_nonce"');
    expect(api[1].dpop).toMatchObject({ valid: true, nonce: api[0].response.headers['dpop-nonce'] });
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
    // The expired token is refused (a Bearer invalid_token challenge: the token is checked first);
    // after the refresh the client builds a new DPoP handle, so the API asks for its nonce again.
    const after = mock.idp.journal.entries({ tag, endpoint: 'api' }).slice(api.length);
    expect(after.map((e) => e.response.status)).toEqual([401, 401, 200]);
    expect(after[0].response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(after[1].response.headers['www-authenticate']).toContain('error="use_dpop_nonce"');
    expect(after[2].dpop).toMatchObject({ valid: true, nonce: after[1].response.headers['dpop-nonce'] });
  });
});
