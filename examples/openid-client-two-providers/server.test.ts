/**
 * The two-provider reference client on its own: a login at either provider signs in with that
 * provider (its token endpoint, its API), and the other provider's response to a started login is
 * refused before any token request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from '../../mock-idp/index.js';
import type { RunningMockIdp } from '../../mock-idp/types.js';
import { authorize, startExample, UserAgent, type RunningExample } from '../shared/test-support.js';

let first: RunningMockIdp;
let second: RunningMockIdp;
let app: RunningExample;

beforeAll(async () => {
  // As the harness runs a two-provider client: the same profile, its own keys, RFC 9207 at both.
  [first, second] = await Promise.all(
    [5, 6].map((seed) => startMockIdp({ profile: 'lexoffice', seed, discoveryFaults: ['discovery.iss-parameter'] })),
  );
  app = await startExample('openid-client-two-providers', first.idp, { idp2: second.idp });
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([first?.close(), second?.close()]);
});

const redemptions = (mock: RunningMockIdp, code: string) =>
  mock.idp.journal.entries({ endpoint: 'token' }).filter((e) => e.token?.code === code);

describe('openid-client-two-providers', () => {
  for (const [query, at, other] of [
    ['', () => first, () => second],
    ['?provider=2', () => second, () => first],
  ] as const) {
    it(`signs in at the provider /login${query} names and redeems the code only there`, async () => {
      const ua = new UserAgent();
      const { callbackUrl } = await authorize(ua, `${app.origin}/login${query}`, at().idp);
      const code = new URL(callbackUrl).searchParams.get('code') ?? '';
      expect(new URL(callbackUrl).searchParams.get('iss')).toBe(at().idp.issuer);
      await ua.follow(callbackUrl);
      const me = await ua.get(`${app.origin}/me`);
      expect(me.status).toBe(200);
      expect(me.body).toContain('Signed in');
      expect(redemptions(at(), code)).toHaveLength(1);
      expect(redemptions(other(), code)).toHaveLength(0);
    });
  }

  it('refuses a response of the second provider to a login started at the first, redeeming nothing', async () => {
    const ua = new UserAgent();
    const { stoppedAt } = await ua.follow(`${app.origin}/login`, (next) =>
      next.startsWith(first.idp.endpoints.authorization),
    );
    // The request passed on unchanged to the second provider (RFC 9700 4.4.1, step 3).
    const forwarded = new URL(second.idp.endpoints.authorization);
    forwarded.search = new URL(stoppedAt ?? '').search;
    const res = await fetch(forwarded, { redirect: 'manual' });
    const callbackUrl = new URL(res.headers.get('location') ?? '');
    const code = callbackUrl.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const { hop } = await ua.follow(callbackUrl.href);
    expect(hop.status).toBe(400);
    expect((await ua.get(`${app.origin}/me`)).status).toBe(401);
    expect(redemptions(first, code)).toHaveLength(0);
    expect(redemptions(second, code)).toHaveLength(0);
  });
});
