import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockIdp, type MockProvider } from './mock-provider.js';

const opened: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function discovery(provider: MockProvider): Promise<Record<string, unknown>> {
  const res = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('createMockIdp', () => {
  it('answers fetches to the real lexoffice hosts through its msw handlers', async () => {
    const provider = await createMockIdp({ seed: 3 });
    expect(provider.issuer).toBe('https://login.lexoffice.io');
    const server = setupServer(...provider.mswHandlers());
    server.listen({ onUnhandledRequest: 'error' });
    opened.push({ close: () => server.close() });
    const doc = await discovery(provider);
    expect(doc.issuer).toBe('https://login.lexoffice.io');
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    // The token endpoint refuses a code it never issued: the mock answers, it does not just echo.
    const token = await fetch(String(doc.token_endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=forged&client_id=nobody&redirect_uri=http://127.0.0.1/cb',
    });
    expect(token.status).toBeGreaterThanOrEqual(400);
  });

  it('listens on loopback when asked, with issuer and endpoints at its local origin', async () => {
    const provider = await createMockIdp({ listen: true });
    opened.push(provider);
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(provider.issuer.startsWith(provider.url ?? '-')).toBe(true);
    const doc = await discovery(provider);
    expect(String(doc.authorization_endpoint).startsWith(provider.url ?? '-')).toBe(true);
  });
});
