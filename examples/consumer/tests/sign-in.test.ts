// A unit test of the client in src/ against the mock provider, through msw: the client keeps talking
// to https://login.lexoffice.io, msw hands those requests to the mock.
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMockIdp, type MockProvider } from 'lexoffice-login-harness';
import { signIn } from '../src/sign-in.js';

const REDIRECT = 'http://127.0.0.1:3000/callback';
let provider: MockProvider;
let server: ReturnType<typeof setupServer>;

beforeAll(async () => {
  provider = await createMockIdp({ seed: 42 });
  provider.registerClient({ clientId: 'consumer-app', authMethod: 'none', redirectUris: [REDIRECT] });
  server = setupServer(...provider.mswHandlers());
  server.listen({ onUnhandledRequest: 'error' });
});
afterAll(() => server.close());

it('signs in with PKCE S256 and reads the userinfo', async () => {
  const user = await signIn({ clientId: 'consumer-app', redirectUri: REDIRECT });
  expect(user.sub).toMatch(/\S/);
  expect(user.tokenType.toLowerCase()).toBe('bearer');
  const authorize = provider.idp.journal.entries().find((e) => e.endpoint === 'authorization');
  expect(authorize?.request.url).toContain('code_challenge_method=S256');
});

it('is refused for a redirect URI the provider does not know', async () => {
  await expect(signIn({ clientId: 'consumer-app', redirectUri: 'http://127.0.0.1:3000/elsewhere' })).rejects.toThrow(
    /authorization refused/,
  );
});
