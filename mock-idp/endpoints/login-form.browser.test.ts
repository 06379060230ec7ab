import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../harness/browser/find-chromium.js';
import { codeRequest, startTestIdp } from '../testing/login-flow.js';
import { LOGIN_TAG_HEADER, type RunningMockIdp } from '../types.js';

let running: RunningMockIdp;
let client: Server;
let clientUrl: string;
let browser: Browser;

beforeAll(async () => {
  client = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>callback</p>');
  });
  await new Promise<void>((resolve) => client.listen(0, '127.0.0.1', resolve));
  clientUrl = `http://127.0.0.1:${(client.address() as AddressInfo).port}`;
  running = await startTestIdp({ settings: { loginForm: true } }, []);
  running.idp.registerClient({ clientId: 'browser-app', authMethod: 'none', redirectUris: [`${clientUrl}/callback`] });
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found');
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await new Promise<void>((resolve) => client.close(() => resolve()));
});

describe('login form in a browser', () => {
  it('signs the chosen seeded user in and lands on the client callback with a tagged code', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { [LOGIN_TAG_HEADER]: 'browser' } });
    try {
      const page = await context.newPage();
      const url = new URL(running.idp.endpoints.authorization);
      url.search = new URLSearchParams(
        codeRequest({ clientId: 'browser-app', authMethod: 'none', redirectUris: [`${clientUrl}/callback`] }),
      ).toString();
      await page.goto(url.href);
      await page.locator('input[type=radio]').nth(2).check();
      await Promise.all([page.waitForURL(`${clientUrl}/callback?**`), page.click('#approve')]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get('state')).toBe('state-0123456789abcdef');
      const [code] = running.idp.journal.issued({ tag: 'browser', kind: 'code' });
      expect(landed.searchParams.get('code')).toBe(code.value);
      expect(running.idp.journal.entries({ tag: 'browser', endpoint: 'login-form' })).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
});
