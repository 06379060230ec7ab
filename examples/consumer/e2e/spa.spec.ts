// An end-to-end test of the SPA in app/ with the mockIdp fixture: the page's requests to
// https://login.lexoffice.io are answered by a mock provider of this test's own.
import { test, expect } from 'lexoffice-login-harness/playwright';
import { startApp } from '../app/server.js';

let app: Awaited<ReturnType<typeof startApp>>;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app.close();
});

test('signs in through the mock provider and shows the person', async ({ page, mockIdp }) => {
  mockIdp.registerClient({ clientId: 'consumer-spa', authMethod: 'none', redirectUris: [`${app.url}/callback`] });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Sign in with lexoffice' }).click();
  await expect(page.getByTestId('user')).toHaveText(/^signed in as \S+/);
  const token = mockIdp.idp.journal.entries().find((e) => e.endpoint === 'token');
  expect(token?.response.status).toBe(200);
});

test('each test gets its own provider: a client registered in another test is unknown here', async ({
  page,
  mockIdp,
}) => {
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Sign in with lexoffice' }).click();
  const authorize = await mockIdp.idp.journal.waitFor((e) => e.endpoint === 'authorization');
  expect(authorize.response.status).toBe(400);
  expect(mockIdp.idp.journal.entries().some((e) => e.endpoint === 'token')).toBe(false);
});
