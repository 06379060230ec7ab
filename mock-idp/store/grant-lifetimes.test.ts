/**
 * The grant store's limits seen through the endpoints: codes of logins in flight survive the code cap,
 * and a grant the store forgot (over the cap, or swept after its tokens expired) stays dead without
 * touching any other grant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  PUBLIC_CLIENT,
  login,
  obtainCode,
  pkcePair,
  redeem,
  refreshGrant,
  startTestIdp,
  userinfoStatus,
} from '../testing/login-flow.js';
import type { ListenOptions, MockIdp, RunningMockIdp } from '../types.js';

let running: RunningMockIdp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(opts: ListenOptions): Promise<MockIdp> {
  running = await startTestIdp(opts, [PUBLIC_CLIENT]);
  return running.idp;
}

const refresh = (idp: MockIdp, refreshToken: string) => refreshGrant(idp, PUBLIC_CLIENT, refreshToken);

/** A login and one refresh: the first refresh token is rotated, the second is current. */
async function loginAndRefresh(idp: MockIdp, label: string) {
  const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT, { pkce: pkcePair(label) });
  const first = await redeem(idp, PUBLIC_CLIENT, code, verifier);
  expect(first.status).toBe(200);
  const second = await refresh(idp, first.json.refresh_token as string);
  expect(second.status).toBe(200);
  return {
    code,
    verifier,
    rotated: first.json.refresh_token as string,
    current: second.json.refresh_token as string,
    accessToken: second.json.access_token as string,
  };
}

describe('grant store limits through the endpoints', () => {
  it('redeems the codes of logins in flight while as many grants live as codes are allowed', async () => {
    const idp = await start({ memory: { maxCodes: 3, maxGrants: 3 } });
    for (let i = 0; i < 3; i++) {
      expect((await login(idp, PUBLIC_CLIENT, { extra: { state: `done-${i}-0123456789` } })).status).toBe(200);
    }
    const a = await obtainCode(idp, PUBLIC_CLIENT, { pkce: pkcePair('in-flight-a') });
    const b = await obtainCode(idp, PUBLIC_CLIENT, { pkce: pkcePair('in-flight-b') });
    const redeemedA = await redeem(idp, PUBLIC_CLIENT, a.code, a.verifier);
    const redeemedB = await redeem(idp, PUBLIC_CLIENT, b.code, b.verifier);
    expect([redeemedA.status, redeemedA.json.error_description]).toEqual([200, undefined]);
    expect([redeemedB.status, redeemedB.json.error_description]).toEqual([200, undefined]);
  });

  it('revokes the whole grant when a rotated refresh token is reused while the grant lives', async () => {
    const idp = await start({});
    const a = await loginAndRefresh(idp, 'alive');
    const reuse = await refresh(idp, a.rotated);
    expect([reuse.status, reuse.json.error_description]).toEqual([400, 'refresh_token has already been used']);
    expect((await refresh(idp, a.current)).status).toBe(400);
    expect(await userinfoStatus(idp, a.accessToken)).toBe(401);
  });

  it('keeps a grant forgotten over the cap dead, and replaying its tokens leaves the newer grant alone', async () => {
    const idp = await start({ memory: { maxGrants: 1 } });
    const a = await loginAndRefresh(idp, 'forgotten');
    const b = await loginAndRefresh(idp, 'newer');
    // a's grant was forgotten for b's: its tokens are unknown now, refused like any unknown token.
    for (const value of [a.rotated, a.current]) {
      const answer = await refresh(idp, value);
      expect([answer.status, answer.json.error]).toEqual([400, 'invalid_grant']);
    }
    expect((await redeem(idp, PUBLIC_CLIENT, a.code, a.verifier)).status).toBe(400);
    expect(await userinfoStatus(idp, a.accessToken)).toBe(401);
    // None of that reached b's grant.
    expect(await userinfoStatus(idp, b.accessToken)).toBe(200);
    expect((await refresh(idp, b.current)).status).toBe(200);
  });

  it('cannot bring back a grant swept after its tokens expired, nor confuse a new grant with it', async () => {
    const clock = { now: Date.parse('2026-03-01T10:00:00Z') };
    const idp = await start({
      clock: () => clock.now,
      settings: { accessTokenTtl: 60, refreshTokenTtl: 120 },
      memory: { retainExpiredMs: 0 },
    });
    const a = await loginAndRefresh(idp, 'swept');
    clock.now += 10 * 60_000;
    // The next writes find the store due for a sweep (provider time has passed), which forgets a's grant.
    const b = await loginAndRefresh(idp, 'after-sweep');
    for (const value of [a.rotated, a.current]) {
      const answer = await refresh(idp, value);
      expect([answer.status, answer.json.error_description]).toEqual([400, 'refresh_token is not valid']);
    }
    const replay = await redeem(idp, PUBLIC_CLIENT, a.code, a.verifier);
    expect([replay.status, replay.json.error_description]).toEqual([400, 'code is not valid']);
    expect(await userinfoStatus(idp, b.accessToken)).toBe(200);
    const next = await refresh(idp, b.current);
    expect(next.status).toBe(200);
    // And b's own rotation logic is intact: its rotated token's reuse still revokes b's grant.
    const reuse = await refresh(idp, b.rotated);
    expect([reuse.status, reuse.json.error_description]).toEqual([400, 'refresh_token has already been used']);
    expect((await refresh(idp, next.json.refresh_token as string)).status).toBe(400);
  });
});
