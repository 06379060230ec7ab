import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CLIENT, authOf, login, postForm, startTestIdp } from '../testing/login-flow.js';
import type { RunningMockIdp } from '../types.js';

const START = Date.parse('2026-03-01T10:00:00Z');
const SHORT = 5;
let now = START;
let running: RunningMockIdp;
let n = 0;

beforeAll(async () => {
  running = await startTestIdp({ clock: () => now });
});
afterAll(async () => {
  await running.close();
});

/** A fresh tag with `token.short-lived` armed. */
function shortLivedTag(): string {
  const tag = `short-lived-${++n}`;
  running.idp.faults.arm(tag, { name: 'token.short-lived', expiresIn: SHORT });
  return tag;
}

async function userinfo(token: string): Promise<{ status: number; challenge: string | null }> {
  const response = await fetch(running.idp.endpoints.userinfo!, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return { status: response.status, challenge: response.headers.get('www-authenticate') };
}

async function apiProfile(token: string): Promise<number> {
  const response = await fetch(new URL('/v1/profile', running.idp.apiBaseUrl), {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}

async function introspect(token: string): Promise<Record<string, unknown>> {
  const answer = await postForm(running.idp.endpoints.introspection!, { token }, authOf(BASIC_CLIENT));
  expect(answer.status).toBe(200);
  return answer.json;
}

async function refresh(refreshToken: string): Promise<Record<string, unknown>> {
  const answer = await postForm(
    running.idp.endpoints.token,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    authOf(BASIC_CLIENT),
  );
  expect(answer.status).toBe(200);
  return answer.json;
}

describe('token.short-lived with faults.expireAccessTokens', () => {
  it('advertises the short lifetime in expires_in, the JWT exp and introspection', async () => {
    now = START;
    const tokens = (await login(running.idp, BASIC_CLIENT, { tag: shortLivedTag() })).json;
    expect(tokens.expires_in).toBe(SHORT);
    const claims = decodeJwt(tokens.access_token as string);
    expect(claims.exp! - claims.iat!).toBe(SHORT);
    const info = await introspect(tokens.access_token as string);
    expect(info.active).toBe(true);
    expect(info.exp).toBe(claims.exp);
  });

  it('keeps accepting the access token after the advertised lifetime has passed on the clock', async () => {
    now = START;
    const tokens = (await login(running.idp, BASIC_CLIENT, { tag: shortLivedTag() })).json;
    const token = tokens.access_token as string;
    now = START + (SHORT + 60) * 1000;
    expect((await userinfo(token)).status).toBe(200);
    expect(await apiProfile(token)).toBe(200);
    expect((await introspect(token)).active).toBe(true);
  });

  it('treats every access token of the tag as expired once expireAccessTokens is called', async () => {
    now = START;
    const tag = shortLivedTag();
    const first = (await login(running.idp, BASIC_CLIENT, { tag })).json.access_token as string;
    const second = (await login(running.idp, BASIC_CLIENT, { tag })).json.access_token as string;
    running.idp.faults.expireAccessTokens(tag);
    for (const token of [first, second]) {
      const answer = await userinfo(token);
      expect(answer.status).toBe(401);
      expect(answer.challenge).toMatch(/error="invalid_token"/);
      expect(await apiProfile(token)).toBe(401);
      expect(await introspect(token)).toEqual({ active: false });
    }
  });

  it('leaves the access tokens of other tags alone', async () => {
    now = START;
    const expired = shortLivedTag();
    const other = shortLivedTag();
    await login(running.idp, BASIC_CLIENT, { tag: expired });
    const untouched = (await login(running.idp, BASIC_CLIENT, { tag: other })).json.access_token as string;
    running.idp.faults.expireAccessTokens(expired);
    expect((await userinfo(untouched)).status).toBe(200);
  });

  it('accepts the access token a refresh issues after the call, again advertising the short lifetime', async () => {
    now = START;
    const tag = shortLivedTag();
    const tokens = (await login(running.idp, BASIC_CLIENT, { tag })).json;
    running.idp.faults.expireAccessTokens(tag);
    expect((await userinfo(tokens.access_token as string)).status).toBe(401);
    now = START + 10_000;
    const refreshed = await refresh(tokens.refresh_token as string);
    expect(refreshed.expires_in).toBe(SHORT);
    const token = refreshed.access_token as string;
    now = START + 10_000 + (SHORT + 60) * 1000;
    expect((await userinfo(token)).status).toBe(200);
    expect(await apiProfile(token)).toBe(200);
    expect((await introspect(token)).active).toBe(true);
  });

  it('refuses a tag that is not a non-empty string', () => {
    expect(() => running.idp.faults.expireAccessTokens('')).toThrow(/non-empty string/);
  });
});
