import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CLIENT,
  PUBLIC_CLIENT,
  basicHeader,
  login,
  obtainCode,
  redeem,
  startTestIdp,
} from '../testing/login-flow.js';
import type { RunningMockIdp } from '../types.js';
import { JOURNAL_BODY_LIMIT } from './journal.js';
import { redactSecrets } from '../../core/redaction.js';

let running: RunningMockIdp;
beforeAll(async () => {
  running = await startTestIdp();
});
afterAll(async () => {
  await running.close();
});

describe('journal', () => {
  it('records each exchange with the parsed token request and the login tag inherited from the code', async () => {
    const { code, verifier } = await obtainCode(running.idp, PUBLIC_CLIENT, { tag: 'j1' });
    await redeem(running.idp, PUBLIC_CLIENT, code, verifier);
    const entries = running.idp.journal.entries({ tag: 'j1' });
    expect(entries.map((e) => e.endpoint)).toEqual(['authorization', 'token']);
    const token = entries[1].token!;
    expect(token).toMatchObject({
      grantType: 'authorization_code',
      clientAuth: 'none',
      clientId: PUBLIC_CLIENT.clientId,
      code,
      codeVerifier: verifier,
      outcome: 'issued',
      secretInQuery: false,
    });
    expect(entries[1].request.body).toContain('grant_type=authorization_code');
    expect(entries[1].response.status).toBe(200);
    expect(entries[0].authorization?.params.state).toBe('state-0123456789abcdef');
    expect(entries[1].seq).toBeGreaterThan(entries[0].seq);
  });

  it('records issued artifacts with their parent and marks the redeemed code', async () => {
    const { code, verifier } = await obtainCode(running.idp, PUBLIC_CLIENT, { tag: 'j2' });
    await redeem(running.idp, PUBLIC_CLIENT, code, verifier);
    const issued = running.idp.journal.issued({ tag: 'j2' });
    expect(issued.map((a) => a.kind)).toEqual(['code', 'access_token', 'refresh_token', 'id_token']);
    expect(issued[0].redeemed).toBe(true);
    expect(issued.slice(1).every((a) => a.parent === code)).toBe(true);
  });

  it('knows registered client secrets', () => {
    const secrets = running.idp.journal.secrets().filter((a) => a.kind === 'client_secret');
    expect(secrets.map((s) => s.value)).toContain(BASIC_CLIENT.clientSecret);
  });

  it('resolves waitFor with a future entry and rejects on timeout', async () => {
    const waiting = running.idp.journal.waitFor((e) => e.tag === 'j3' && e.endpoint === 'token');
    await login(running.idp, PUBLIC_CLIENT, { tag: 'j3' });
    expect((await waiting).token?.outcome).toBe('issued');
    await expect(running.idp.journal.waitFor(() => false, { timeoutMs: 10 })).rejects.toThrow(/no matching/);
    const controller = new AbortController();
    const aborted = running.idp.journal.waitFor(() => false, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });

  it('notifies subscribers until they unsubscribe', async () => {
    const seen: string[] = [];
    const unsubscribe = running.idp.journal.subscribe((e) => seen.push(e.endpoint));
    await fetch(running.idp.endpoints.jwks!);
    unsubscribe();
    await fetch(running.idp.endpoints.jwks!);
    expect(seen).toEqual(['jwks']);
  });

  it('caps long bodies', async () => {
    await fetch(running.idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=x&pad=${'a'.repeat(JOURNAL_BODY_LIMIT + 10)}`,
    });
    const entry = running.idp.journal.entries({ endpoint: 'token' }).at(-1)!;
    expect(entry.request.body!.length).toBeLessThan(JOURNAL_BODY_LIMIT + 100);
  });
});

describe('redaction', () => {
  it('replaces secrets verbatim, URL-encoded and form-encoded', () => {
    const secret = 'a b/c+d=e';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} form ${new URLSearchParams({ v: secret }).toString().slice(2)}`;
    const redacted = redactSecrets(text, [{ kind: 'client_secret', value: secret }]);
    expect(redacted).toBe(
      'raw [redacted:client_secret:a b/…] url [redacted:client_secret:a b/…] form [redacted:client_secret:a b/…]',
    );
  });

  it('finds a client secret inside HTTP Basic credentials', () => {
    const header = `Basic ${Buffer.from('web+client:s%2Fx').toString('base64')}`;
    expect(redactSecrets(header, [{ kind: 'client_secret', value: 's/x-long', clientId: 'web client' }])).toBe(header);
    const real = `Basic ${Buffer.from('web+client:s%2Fx-long').toString('base64')}`;
    expect(redactSecrets(real, [{ kind: 'client_secret', value: 's/x-long', clientId: 'web client' }])).toBe(
      'Basic [redacted:client_secret:s/x-…]',
    );
  });

  it('prefers the longest match', () => {
    expect(
      redactSecrets('abcdefgh-ijkl', [
        { kind: 'code', value: 'abcdefgh' },
        { kind: 'access_token', value: 'abcdefgh-ijkl' },
      ]),
    ).toBe('[redacted:access_token:abcd…]');
  });

  it('redacts everything the provider issued', async () => {
    const tokens = await login(running.idp, BASIC_CLIENT, { tag: 'r1' });
    const log = `token ${tokens.json.access_token as string} refresh=${encodeURIComponent(tokens.json.refresh_token as string)} secret ${BASIC_CLIENT.clientSecret!}`;
    const redacted = running.idp.redact(log);
    expect(redacted).not.toContain(tokens.json.access_token);
    expect(redacted).not.toContain(tokens.json.refresh_token);
    expect(redacted).not.toContain(BASIC_CLIENT.clientSecret);
    expect(redacted).toMatch(/\[redacted:access_token:eyJh…\]/);
    expect(redacted).toMatch(/\[redacted:client_secret:secr…\]/);
  });

  it('leaves no issued value or Basic credential in the redacted journal', async () => {
    await login(running.idp, BASIC_CLIENT, { tag: 'r2' });
    const dump = running.idp.redact(JSON.stringify(running.idp.journal.entries({ tag: 'r2' })));
    for (const artifact of running.idp.journal.issued({ tag: 'r2' })) expect(dump).not.toContain(artifact.value);
    expect(dump).not.toContain(basicHeader(BASIC_CLIENT.clientId, BASIC_CLIENT.clientSecret!).slice(6));
    expect(dump).toContain('Basic [redacted:client_secret:secr…]');
  });
});
