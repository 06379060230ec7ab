import { afterEach, describe, expect, it } from 'vitest';
import { ProviderClient, s256 } from './client.js';
import { prepareEmbeddedAudit, type PreparedAudit } from './embedded.js';
import { Recorder } from './evidence.js';

let open: PreparedAudit | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function clientFor(label: 'primary' | 'confidential'): Promise<{ client: ProviderClient; recorder: Recorder }> {
  open = await prepareEmbeddedAudit();
  const { setup } = open;
  const recorder = new Recorder();
  const registered = label === 'primary' ? setup.clients.primary : setup.clients.confidential;
  if (!registered) throw new Error('no such client');
  const client = new ProviderClient({
    provider: setup.provider,
    client: registered,
    person: setup.person,
    recorder,
    secrets: setup.secrets,
    signal: new AbortController().signal,
    scope: setup.scope,
  });
  return { client, recorder };
}

describe('the harness as a correct client of the provider', () => {
  it('builds authorization requests with an S256 challenge of a fresh verifier, state and, for openid, a nonce', async () => {
    const { client } = await clientFor('primary');
    const a = client.authorizationRequest();
    const b = client.authorizationRequest();
    expect(a.params).toMatchObject({
      response_type: 'code',
      code_challenge_method: 'S256',
      code_challenge: s256(a.verifier ?? ''),
    });
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.params.nonce).toBeDefined();
    expect(new Set([a.state, b.state, a.verifier, b.verifier, a.params.nonce, b.params.nonce]).size).toBe(6);
    const none = client.authorizationRequest({ pkce: 'none', extra: { scope: undefined } });
    expect(none.params.code_challenge).toBeUndefined();
    expect(none.params.scope).toBeUndefined();
  });

  it('signs in, calls the API with the header, and after revoking the access token the API refuses it', async () => {
    const { client, recorder } = await clientFor('primary');
    const { tokens } = await client.login();
    expect(await client.accessTokenActive(tokens.accessToken ?? '')).toBe(true);
    const revoked = await client.revoke(tokens.accessToken ?? '', 'access_token');
    expect(revoked.status).toBe(200);
    expect(await client.accessTokenActive(tokens.accessToken ?? '')).toBe(false);
    expect(recorder.entries().map((e) => e.note)).toContain('revoke as primary client');
  });

  it('authenticates a confidential client with HTTP Basic as registered, and is refused with a wrong secret', async () => {
    const { client, recorder } = await clientFor('confidential');
    const ok = await client.login();
    expect(ok.tokens.ok).toBe(true);
    const { pending, code } = await client.obtainCode();
    const wrong = await client.redeem(pending, code, { auth: 'wrong-secret' });
    expect(wrong).toMatchObject({ ok: false, status: 401, error: 'invalid_client' });
    const redemption = recorder.entries().find((e) => e.method === 'POST' && e.requestHeaders.authorization);
    expect(redemption?.requestHeaders.authorization).toMatch(/^Basic /);
    expect(redemption?.requestBody).not.toContain('client_secret');
  });
});
