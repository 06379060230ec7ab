/**
 * The reference native app through its driver (TARGETS.md §4) against the mock provider: each login
 * gets a loopback listener of its own on a port the operating system picks, the provider accepts that
 * port on the registered `http://127.0.0.1/callback` (RFC 8252 7.3), and the listener is gone once the
 * redirect has been handled (RFC 8252 8.3).
 */
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from '../../mock-idp/index.js';
import { LOGIN_TAG_HEADER, type RunningMockIdp } from '../../mock-idp/types.js';
import { startExample, type RunningExample } from '../shared/test-support.js';

interface Answer {
  id: number;
  ok: boolean;
  url?: string;
  status?: number;
  error?: string;
}

let mock: RunningMockIdp;
let driver: RunningExample;
const waiting = new Map<number, (a: Answer) => void>();
let nextId = 0;

beforeAll(async () => {
  mock = await startMockIdp({ profile: 'lexoffice', seed: 5 });
  driver = await startExample('reference-native', mock.idp, { ready: false });
  createInterface({ input: driver.child.stdout! }).on('line', (line) => {
    const answer = JSON.parse(line) as Answer;
    waiting.get(answer.id)?.(answer);
  });
});
afterAll(async () => {
  driver?.child.stdin?.end();
  await driver?.stop();
  await mock?.close();
});

/** Sends one request and resolves with its answer. */
function send(session: string, op: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${op} (log: ${driver.logs()})`)), 15_000);
    waiting.set(id, (a) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(a);
    });
    driver.child.stdin!.write(`${JSON.stringify({ id, session, op, ...extra })}\n`);
  });
}

/** The person at the provider: visits the authorization URL (tagged) and returns the redirect. */
async function approve(url: string, tag: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual', headers: { [LOGIN_TAG_HEADER]: tag } });
  const location = res.headers.get('location');
  if (!location) throw new Error(`the provider did not redirect (${res.status}): ${await res.text()}`);
  return location;
}

/** Whether something answers HTTP at `url`. */
const answers = (url: string): Promise<boolean> =>
  fetch(url).then(
    () => true,
    () => false,
  );

describe('reference-native (openid-client, loopback redirect) through its driver', () => {
  it('opens a listener per login on an ephemeral 127.0.0.1 port, signs in through it, and closes it', async () => {
    const [a, b] = await Promise.all([send('a', 'authorize'), send('b', 'authorize')]);
    const redirectA = new URL(new URL(a.url!).searchParams.get('redirect_uri')!);
    const redirectB = new URL(new URL(b.url!).searchParams.get('redirect_uri')!);
    for (const r of [redirectA, redirectB]) {
      expect(r.protocol).toBe('http:');
      expect(r.hostname).toBe('127.0.0.1');
      expect(r.pathname).toBe('/callback');
      expect(Number(r.port)).toBeGreaterThan(1023);
    }
    expect(redirectA.port).not.toBe(redirectB.port);
    const params = new URL(a.url!).searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The app listens where its redirect URI says, for as long as the login waits.
    expect(await answers(redirectA.href)).toBe(true);

    const callbackA = await approve(a.url!, 'native-a');
    expect(new URL(callbackA).origin).toBe(redirectA.origin);
    expect(await send('a', 'callback', { url: callbackA })).toEqual({ id: expect.any(Number), ok: true });
    expect(await answers(redirectA.href)).toBe(false);
    expect(await answers(redirectB.href)).toBe(true);
    expect(await send('a', 'api', { path: '/v1/profile' })).toMatchObject({ ok: true, status: 200 });

    const token = mock.idp.journal.entries({ tag: 'native-a', endpoint: 'token' });
    expect(token[0].token).toMatchObject({ outcome: 'issued', clientAuth: 'none', redirectUri: redirectA.href });

    const callbackB = await approve(b.url!, 'native-b');
    expect(await send('b', 'callback', { url: callbackB })).toMatchObject({ ok: true });
    expect(await answers(redirectB.href)).toBe(false);
    expect(await send('b', 'refresh')).toMatchObject({ ok: true });
    expect(await send('b', 'logout')).toMatchObject({ ok: true });
    expect(await send('b', 'api')).toMatchObject({ ok: false, error: 'not signed in' });
  });

  it('refuses a redirect that does not reach the login’s own listener, and a callback without a login', async () => {
    const started = await send('c', 'authorize');
    const redirect = new URL(new URL(started.url!).searchParams.get('redirect_uri')!);
    const elsewhere = new URL(await approve(started.url!, 'native-c'));
    elsewhere.port = String(Number(redirect.port) === 65535 ? 1024 : Number(redirect.port) + 1);
    expect(await send('c', 'callback', { url: elsewhere.href })).toMatchObject({ ok: false });
    expect(await send('nobody', 'callback', { url: elsewhere.href })).toMatchObject({
      ok: false,
      error: 'no login in progress',
    });
    expect(driver.logs()).not.toMatch(/code=|access_token|eyJ/);
  });
});
