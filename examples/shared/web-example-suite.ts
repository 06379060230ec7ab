/**
 * The behaviour both server-side examples (reference-web, openid-client-web) must show, as one vitest
 * suite run against each: a scripted login through the mock provider with fetch and a hand-kept cookie
 * jar, and the negative cases the harness's checks rely on.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from '../../mock-idp/index.js';
import type { Fault, RunningMockIdp } from '../../mock-idp/types.js';
import { authorize, startExample, UserAgent, type RunningExample } from './test-support.js';

let tagSeq = 0;
const newTag = (): string => `t${++tagSeq}`;

/** Registers the shared suite for the example in `examples/<name>`. */
export function describeWebExample(name: string): void {
  // The logout tests exist for the examples whose manifest declares the fields that enable them.
  const declared = (
    JSON.parse(readFileSync(new URL(`../${name}/target.json`, import.meta.url), 'utf8')) as {
      client: { postLogoutRedirectUris?: string[]; backchannelLogoutUri?: string };
    }
  ).client;
  describe(`${name} against the lexoffice profile`, () => {
    let mock: RunningMockIdp;
    let app: RunningExample;

    beforeAll(async () => {
      mock = await startMockIdp({ profile: 'lexoffice', seed: 7 });
      app = await startExample(name, mock.idp);
    });
    afterAll(async () => {
      await app?.stop();
      await mock?.close();
    });

    /** A login with `fault` armed; returns the agent, the tag and the callback's response. */
    async function login(fault?: Fault, loginQuery = '') {
      const tag = newTag();
      if (fault) mock.idp.faults.arm(tag, fault);
      const ua = new UserAgent();
      const { authorizationUrl, callbackUrl } = await authorize(ua, `${app.origin}/login${loginQuery}`, mock.idp, tag);
      const preLoginSid = ua.cookie(app.origin, 'sid');
      const { hop } = await ua.follow(callbackUrl);
      return { ua, tag, authorizationUrl, callbackUrl, preLoginSid, final: hop };
    }

    const tokenRequests = (tag: string) => mock.idp.journal.entries({ tag, endpoint: 'token' });

    it('signs in, leaves the code behind, and calls the lexoffice API with the bearer header', async () => {
      const { ua, tag, authorizationUrl, callbackUrl, preLoginSid, final } = await login();
      const auth = new URL(authorizationUrl).searchParams;
      expect(auth.get('response_type')).toBe('code');
      expect(auth.get('code_challenge_method')).toBe('S256');
      expect(auth.get('scope')).toBe('openid profile contact.read invoice.read');
      expect(auth.get('state')?.length).toBeGreaterThanOrEqual(22);
      expect(auth.get('nonce')).toBeTruthy();

      expect(final.status).toBe(200);
      expect(final.url).toBe(`${app.origin}/`);
      expect(final.url).not.toContain('code=');
      expect(ua.hops.find((h) => h.url === callbackUrl)?.headers.get('referrer-policy')).toBe('no-referrer');

      const me = await ua.get(`${app.origin}/me`);
      expect(me.status).toBe(200);
      expect(me.body).toContain('Signed in');

      const [token] = tokenRequests(tag);
      expect(token.token?.clientAuth).toBe('client_secret_basic');
      expect(token.token?.redirectUri).toBe(auth.get('redirect_uri'));
      expect(token.token?.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      const api = mock.idp.journal.entries({ tag, endpoint: 'api' });
      expect(api.length).toBeGreaterThan(0);
      expect(api.every((e) => e.bearer?.location === 'header' && e.bearer.valid)).toBe(true);

      // The session id changes at sign-in, and the cookie is HttpOnly and SameSite.
      expect(ua.cookie(app.origin, 'sid')).not.toBe(preLoginSid);
      expect(ua.setCookies.every((c) => /HttpOnly/.test(c) && /SameSite=Lax/.test(c) && /Path=\//.test(c))).toBe(true);
      const secrets = mock.idp.journal.issued({ tag }).map((a) => a.value);
      for (const s of secrets) {
        expect(me.body).not.toContain(s);
        expect(app.logs()).not.toContain(s);
      }
    });

    it('rejects an altered state without redeeming the code', async () => {
      const { ua, tag, final } = await login({ name: 'callback.state-altered' });
      expect(final.status).toBe(400);
      expect(tokenRequests(tag)).toHaveLength(0);
      expect((await ua.get(`${app.origin}/me`)).status).toBe(401);
    });

    it('rejects a callback without state or without code, without a token request', async () => {
      for (const name of ['callback.state-missing', 'callback.code-missing'] as const) {
        const { tag, final } = await login({ name });
        expect(final.status).toBe(400);
        expect(tokenRequests(tag)).toHaveLength(0);
      }
    });

    it('shows an error response escaped and redeems nothing', async () => {
      const { tag, final } = await login({
        name: 'callback.error',
        error: 'access_denied',
        errorDescription: '<script>alert(1)</script>',
      });
      expect(final.status).toBe(400);
      expect(final.body).toContain('access_denied');
      expect(final.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(final.body).not.toContain('<script>alert(1)');
      expect(tokenRequests(tag)).toHaveLength(0);
    });

    it('does not sign in again when a used callback is replayed, in the same or another browser', async () => {
      const { tag, callbackUrl, final } = await login();
      expect(final.status).toBe(200);
      const same = await new UserAgent().get(callbackUrl);
      expect(same.status).toBe(400);
      const other = new UserAgent();
      expect((await other.follow(callbackUrl)).hop.status).toBe(400);
      expect((await other.get(`${app.origin}/me`)).status).toBe(401);
      expect(tokenRequests(tag)).toHaveLength(1);
    });

    it('refuses a state and code from another browser session (login CSRF)', async () => {
      const tag = newTag();
      const attacker = new UserAgent();
      const { callbackUrl } = await authorize(attacker, `${app.origin}/login`, mock.idp, tag);
      const victim = new UserAgent();
      await authorize(victim, `${app.origin}/login`, mock.idp, newTag());
      expect((await victim.follow(callbackUrl)).hop.status).toBe(400);
      expect(tokenRequests(tag)).toHaveLength(0);
    });

    it('rejects ID tokens that are unsigned, HS256-confused, badly signed, or for another audience or nonce', async () => {
      const faults: Fault[] = [
        { name: 'id-token.alg-none', alg: 'None' },
        { name: 'id-token.hs256-public-key' },
        { name: 'id-token.bad-signature' },
        { name: 'id-token.wrong-aud' },
        { name: 'id-token.wrong-nonce' },
        { name: 'id-token.expired' },
        { name: 'userinfo.wrong-sub' },
      ];
      for (const fault of faults) {
        const { ua, final } = await login(fault);
        expect(final.status, fault.name).toBe(400);
        expect((await ua.get(`${app.origin}/me`)).status, fault.name).toBe(401);
      }
    });

    it('shows token endpoint errors and malformed token responses as clean pages', async () => {
      const faults: Fault[] = [
        { name: 'token.invalid-grant' },
        { name: 'token.malformed', variant: 'no-access-token' },
        { name: 'token.malformed', variant: 'wrong-token-type' },
        { name: 'token.malformed', variant: 'not-json' },
      ];
      for (const fault of faults) {
        const { ua, final } = await login(fault);
        expect(final.status, JSON.stringify(fault)).toBe(400);
        expect(final.body).not.toMatch(/\bat .+:\d+:\d+/);
        expect((await ua.get(`${app.origin}/me`)).status).toBe(401);
      }
    });

    it('refreshes an expired access token with the newest refresh token and the same scope', async () => {
      const { ua, tag } = await login({ name: 'token.short-lived', expiresIn: 3 });
      // The 5-second refresh skew makes each /me refresh a 3-second token at once; 3 s rather than 1 so that
      // a loaded machine still makes the login's own userinfo call before the first token expires.
      expect((await ua.get(`${app.origin}/me`)).status).toBe(200);
      expect((await ua.get(`${app.origin}/me`)).status).toBe(200);
      const refreshes = tokenRequests(tag).filter((e) => e.token?.grantType === 'refresh_token');
      expect(refreshes.length).toBeGreaterThanOrEqual(2);
      const issuedRefresh = mock.idp.journal.issued({ tag, kind: 'refresh_token' }).map((a) => a.value);
      // Each refresh spends the refresh token issued just before it.
      refreshes.forEach((r, i) => expect(r.token?.refreshToken).toBe(issuedRefresh[i]));
      expect(refreshes.every((r) => r.token?.scope === undefined && r.token?.outcome === 'issued')).toBe(true);
    });

    it('honours only same-origin return paths after sign-in', async () => {
      expect((await login(undefined, '?returnTo=/me')).final.url).toBe(`${app.origin}/me`);
      for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/%5Cevil.example']) {
        const { final } = await login(undefined, `?returnTo=${encodeURIComponent(evil)}`);
        expect(new URL(final.url).origin, evil).toBe(app.origin);
      }
    });

    it('revokes the refresh token at logout and forgets the session', async () => {
      const { ua, tag } = await login();
      const refreshToken = mock.idp.journal.issued({ tag, kind: 'refresh_token' })[0]?.value;
      // With a post-logout URI the sign-out continues at the provider and comes back to it.
      const { hop } = await ua.follow(`${app.origin}/logout`);
      expect(hop.status).toBe(200);
      const revoked = mock.idp.journal.entries({ endpoint: 'revocation' }).map((e) => e.revocation?.token);
      expect(revoked).toContain(refreshToken);
      expect((await ua.get(`${app.origin}/me`)).status).toBe(401);
    });

    const rpLogout = declared.postLogoutRedirectUris ? it : undefined;
    rpLogout?.('signs out at the provider with the ID token as hint and a registered post-logout URI', async () => {
      const { ua, tag } = await login();
      const idToken = mock.idp.journal.issued({ tag, kind: 'id_token' })[0]?.value;
      const first = await ua.get(`${app.origin}/logout`);
      expect(first.status).toBe(303);
      const location = new URL(first.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(mock.idp.endpoints.endSession);
      expect(location.searchParams.get('id_token_hint')).toBe(idToken);
      const back = await fetch(location, { redirect: 'manual' });
      const returned = new URL(back.headers.get('location') ?? '');
      expect(`${returned.origin}${returned.pathname}`).toBe(`${app.origin}/signed-out`);
      expect(returned.searchParams.get('state')).toBe(location.searchParams.get('state'));
      expect((await ua.get(returned.href)).status).toBe(200);
    });

    const backchannel = declared.backchannelLogoutUri ? it : undefined;
    backchannel?.('ends the session on a valid back-channel logout token and refuses an unsigned one', async () => {
      const unsigned = await login();
      mock.idp.faults.arm(unsigned.tag, { name: 'logout-token.alg-none' });
      expect((await mock.idp.logout.backchannel(unsigned.tag)).status).toBe(400);
      expect((await unsigned.ua.get(`${app.origin}/me`)).status).toBe(200);
      const valid = await login();
      expect((await mock.idp.logout.backchannel(valid.tag)).status).toBe(200);
      expect((await valid.ua.get(`${app.origin}/me`)).status).toBe(401);
    });
  });

  describe(`${name} against providers with changed metadata`, () => {
    it('refuses to log in when the provider advertises only plain PKCE', async () => {
      const mock = await startMockIdp({
        profile: 'lexoffice',
        seed: 7,
        discoveryFaults: ['discovery.pkce-plain-only'],
      });
      const app = await startExample(name, mock.idp).catch(async (err: unknown) => {
        await mock.close();
        throw err;
      });
      try {
        const ua = new UserAgent();
        const { hop, stoppedAt } = await ua.follow(`${app.origin}/login`, (next) =>
          next.startsWith(mock.idp.endpoints.authorization),
        );
        expect(stoppedAt).toBeUndefined();
        expect(hop.status).toBe(400);
        expect(mock.idp.journal.entries({ endpoint: 'authorization' })).toHaveLength(0);
      } finally {
        await app.stop();
        await mock.close();
      }
    });

    it('requires the RFC 9207 iss parameter when the provider advertises it', async () => {
      const mock = await startMockIdp({ profile: 'lexoffice', seed: 7, discoveryFaults: ['discovery.iss-parameter'] });
      const app = await startExample(name, mock.idp).catch(async (err: unknown) => {
        await mock.close();
        throw err;
      });
      try {
        const run = async (fault?: Fault) => {
          const tag = newTag();
          if (fault) mock.idp.faults.arm(tag, fault);
          const ua = new UserAgent();
          const { callbackUrl } = await authorize(ua, `${app.origin}/login`, mock.idp, tag);
          return {
            status: (await ua.follow(callbackUrl)).hop.status,
            tokens: mock.idp.journal.entries({ tag, endpoint: 'token' }),
          };
        };
        expect((await run()).status).toBe(200);
        for (const name of ['callback.iss-wrong', 'callback.iss-missing'] as const) {
          const r = await run({ name });
          expect(r.status, name).toBe(400);
          expect(r.tokens, name).toHaveLength(0);
        }
      } finally {
        await app.stop();
        await mock.close();
      }
    });
  });
}
