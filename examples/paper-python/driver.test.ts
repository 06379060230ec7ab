/**
 * The paper's Python client through its driver (TARGETS.md section 4) against the mock provider. The
 * class is audited as published, so besides the protocol these tests pin down what it does with the
 * responses the harness plays, including the behaviour README.md reports as findings.
 */
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from '../../mock-idp/index.js';
import { LOGIN_TAG_HEADER, type Fault, type RunningMockIdp } from '../../mock-idp/types.js';
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
const stdoutLines: string[] = [];
const waiting = new Map<number, (a: Answer) => void>();
let nextId = 0;
let tagSeq = 0;

beforeAll(async () => {
  mock = await startMockIdp({ profile: 'lexoffice', seed: 3 });
  driver = await startExample('paper-python', mock.idp, { ready: false });
  const lines = createInterface({ input: driver.child.stdout! });
  lines.on('line', (line) => {
    stdoutLines.push(line);
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
    const timer = setTimeout(() => reject(new Error(`no answer to ${op} (stderr: ${driver.logs()})`)), 10_000);
    waiting.set(id, (a) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(a);
    });
    driver.child.stdin!.write(`${JSON.stringify({ id, session, op, ...extra })}\n`);
  });
}

/** authorize, then the provider's answer with `fault` armed; returns the callback URL and tag. */
async function authorizeIn(session: string, fault?: Fault): Promise<{ callbackUrl: string; tag: string; url: string }> {
  const tag = `py${++tagSeq}`;
  if (fault) mock.idp.faults.arm(tag, fault);
  const a = await send(session, 'authorize');
  expect(a.ok).toBe(true);
  const res = await fetch(a.url!, { redirect: 'manual', headers: { [LOGIN_TAG_HEADER]: tag } });
  const location = res.headers.get('location');
  if (!location) throw new Error(`provider did not redirect (status ${res.status})`);
  return { callbackUrl: location, tag, url: a.url! };
}

const tokenRequests = (tag: string) => mock.idp.journal.entries({ tag, endpoint: 'token' });

describe('paper-python driver', () => {
  it('signs in with S256 and a verifier, and calls the API with the bearer header', async () => {
    const { callbackUrl, tag, url } = await authorizeIn('a');
    const q = new URL(url).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await send('a', 'callback', { url: callbackUrl })).toMatchObject({ ok: true });
    expect(await send('a', 'api', { path: '/v1/profile' })).toMatchObject({ ok: true, status: 200 });
    const [token] = tokenRequests(tag);
    expect(token.token?.clientAuth).toBe('client_secret_basic');
    expect(token.token?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mock.idp.journal.entries({ tag, endpoint: 'api' })[0]?.bearer?.location).toBe('header');
  });

  it('answers unsupported for refresh and logout, which the class does not have', async () => {
    expect(await send('a', 'refresh')).toMatchObject({ ok: false, error: 'unsupported' });
    expect(await send('a', 'logout')).toMatchObject({ ok: false, error: 'unsupported' });
  });

  it('rejects an altered or missing state without a token request', async () => {
    for (const name of ['callback.state-altered', 'callback.state-missing'] as const) {
      const { callbackUrl, tag } = await authorizeIn('b', { name });
      expect(await send('b', 'callback', { url: callbackUrl })).toMatchObject({ ok: false });
      expect(tokenRequests(tag)).toHaveLength(0);
    }
  });

  it('rejects another session’s state and code (each session is its own instance)', async () => {
    const { callbackUrl, tag } = await authorizeIn('attacker');
    await send('victim', 'authorize');
    expect(await send('victim', 'callback', { url: callbackUrl })).toMatchObject({ ok: false });
    expect(tokenRequests(tag)).toHaveLength(0);
  });

  it('rejects a callback that has the right state but no code, without a token request', async () => {
    const { callbackUrl, tag } = await authorizeIn('g', { name: 'callback.code-missing' });
    expect(await send('g', 'callback', { url: callbackUrl })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/code/),
    });
    expect(tokenRequests(tag)).toHaveLength(0);
  });

  it('answers an error response with ok:false and no token request', async () => {
    const { callbackUrl, tag } = await authorizeIn('c', { name: 'callback.error', error: 'access_denied' });
    expect(await send('c', 'callback', { url: callbackUrl })).toMatchObject({ ok: false });
    expect(tokenRequests(tag)).toHaveLength(0);
  });

  it('redeems a replayed callback a second time, which only the provider refuses', async () => {
    const { callbackUrl, tag } = await authorizeIn('d');
    expect(await send('d', 'callback', { url: callbackUrl })).toMatchObject({ ok: true });
    expect(await send('d', 'callback', { url: callbackUrl })).toMatchObject({ ok: false });
    // The state is not consumed, so the used code goes to the token endpoint again.
    expect(tokenRequests(tag).map((e) => e.token?.outcome)).toEqual(['issued', 'error']);
  });

  it('accepts an ID token with a broken signature and a token response without access_token, as it never checks them', async () => {
    const bad = await authorizeIn('e', { name: 'id-token.bad-signature' });
    expect(await send('e', 'callback', { url: bad.callbackUrl })).toMatchObject({ ok: true });
    const malformed = await authorizeIn('f', { name: 'token.malformed', variant: 'no-access-token' });
    expect(await send('f', 'callback', { url: malformed.callbackUrl })).toMatchObject({ ok: true });
    expect(await send('f', 'api')).toMatchObject({ ok: false });
  });

  it('writes only protocol lines to stdout and no code, token or secret to stderr', () => {
    expect(stdoutLines.length).toBe(nextId);
    for (const line of stdoutLines) expect(JSON.parse(line)).toHaveProperty('id');
    const logs = driver.logs();
    for (const s of mock.idp.journal.secrets()) expect(logs).not.toContain(s.value);
  });
});
