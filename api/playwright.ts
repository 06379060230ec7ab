/**
 * `lexoffice-login-harness/playwright`: a Playwright Test fixture that gives each test a mock provider
 * routed into its page. Requests the page makes to the provider's hosts (`https://login.lexoffice.io`
 * unless configured otherwise) are answered by the mock; everything else reaches the network as usual.
 *
 * ```ts
 * import { test, expect } from 'lexoffice-login-harness/playwright';
 *
 * test.use({ mockIdpOptions: { seed: 7 } });
 *
 * test('signs in', async ({ page, mockIdp }) => {
 *   mockIdp.registerClient({ clientId: 'spa', authMethod: 'none', redirectUris: [`${appUrl}/`] });
 *   await page.goto(appUrl);
 *   await expect(page.getByTestId('user')).toContainText('@');
 * });
 * ```
 *
 * @see docs/api.md#the-playwright-fixture
 * @see https://playwright.dev/docs/test-fixtures
 * @packageDocumentation
 */
import { test as base, expect } from '@playwright/test';
import { createMockIdp, type CreateMockIdpOptions, type MockProvider } from './mock-provider.js';

/** The fixtures this module adds to Playwright's. */
export interface MockIdpFixtures {
  /** Options of the test's mock provider (`test.use({ mockIdpOptions: {...} })`); default: the lexoffice profile. */
  mockIdpOptions: CreateMockIdpOptions;
  /** The test's own mock provider, already routed into `page`. */
  mockIdp: MockProvider;
}

/**
 * Playwright's `test` with the `mockIdp` fixture: a fresh provider per test (so no state leaks between
 * tests), routed into the test's page before the test starts and closed after it.
 */
export const test = base.extend<MockIdpFixtures>({
  mockIdpOptions: [{}, { option: true }],
  mockIdp: async ({ page, mockIdpOptions }, use) => {
    const provider = await createMockIdp(mockIdpOptions);
    try {
      await provider.route(page);
      await use(provider);
    } finally {
      await provider.close();
    }
  },
});

export { expect };
export type { CreateMockIdpOptions, MockProvider };
