import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerCatalogOf } from '../cli/catalog.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runProviderChecks } from './audit.js';
import { providerChecks } from '../../scenarios/provider/catalog.js';
import { prepareProviderAudit } from './embedded.js';
import { Recorder } from './evidence.js';
import { CallbackListener } from './listener.js';
import { AutoPerson, ManualPerson } from './person.js';
import { startOidcProvider } from './testing/oidc-provider.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

describe('the person step of provider audits', () => {
  it('in auto mode follows the provider and sends back the cookies it set along the way (path and deletion included)', async () => {
    const seen: Array<string | undefined> = [];
    const provider = http.createServer((req, res) => {
      seen.push(req.headers.cookie);
      if (req.url?.startsWith('/authorize')) {
        res.setHeader('set-cookie', ['sid=s-1; Path=/; HttpOnly', 'stale=x; Path=/']);
        res.writeHead(302, { location: '/oauth/consent' }).end();
      } else if (req.url === '/oauth/consent') {
        res.setHeader('set-cookie', ['step=2; Path=/oauth', 'stale=; Max-Age=0; Path=/']);
        res.writeHead(302, { location: '/oauth/approve' }).end();
      } else if (req.url === '/oauth/approve' && req.headers.cookie?.includes('sid=s-1')) {
        res.writeHead(302, { location: 'http://127.0.0.1:1/callback?code=c-1&state=s' }).end();
      } else res.writeHead(403).end('no session');
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => provider.close(() => resolve())));
    const origin = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    const result = await new AutoPerson([origin]).visit(
      `${origin}/authorize?state=s`,
      { redirectUri: 'http://127.0.0.1:1/callback' },
      new Recorder(),
      new AbortController().signal,
    );
    expect(result).toMatchObject({ kind: 'redirect', query: { code: 'c-1', state: 's' } });
    expect(seen).toEqual([undefined, 'sid=s-1; stale=x', 'step=2; sid=s-1']);
  });

  it('in manual mode prints the URL and returns the redirect that reaches the loopback listener, matched by state', async () => {
    const listener = new CallbackListener();
    await listener.listen();
    cleanup.push(() => listener.close());
    const printed: string[] = [];
    const person = new ManualPerson(listener, 5000, (l) => printed.push(l));
    const visit = person.visit(
      'https://login.example.com/authorize?state=s-123',
      { redirectUri: `${listener.origin}/callback`, state: 's-123' },
      new Recorder(),
      new AbortController().signal,
    );
    // Another flow's redirect does not satisfy this one.
    await fetch(`${listener.origin}/callback?code=other&state=s-999`);
    await fetch(`${listener.origin}/callback?code=c-1&state=s-123`);
    const result = await visit;
    expect(printed[0]).toContain('https://login.example.com/authorize?state=s-123');
    expect(result).toMatchObject({ kind: 'redirect', query: { code: 'c-1', state: 's-123' } });
  });

  it('in manual mode reports that nothing was observed when no redirect arrives in time', async () => {
    const listener = new CallbackListener();
    await listener.listen();
    cleanup.push(() => listener.close());
    const person = new ManualPerson(listener, 50, () => {});
    const result = await person.visit(
      'https://login.example.com/authorize',
      { redirectUri: `${listener.origin}/cb`, state: 'never' },
      new Recorder(),
      new AbortController().signal,
    );
    expect(result.kind).toBe('none');
  });

  it('in playwright mode signs in through oidc-provider login and consent pages with a script, and the checks decide as with auto approval', async () => {
    const listener = new CallbackListener();
    await listener.listen();
    cleanup.push(() => listener.close());
    const op = await startOidcProvider({ redirectUri: `${listener.origin}/callback`, interactions: 'dev' });
    cleanup.push(() => op.close());
    const prepared = await prepareProviderAudit({
      discovery: op.issuer,
      clientFile: {
        ...op.clientFile,
        login: {
          method: 'playwright',
          script: [
            { fill: 'input[name=login]', env: 'LH_TEST_USER' },
            { fill: 'input[name=password]', env: 'LH_TEST_PASSWORD' },
            { click: 'button[type=submit]' },
            // The consent page appears on every login here (prompt=consent).
            { click: 'button[autofocus]', optional: true },
          ],
          // Generous: the machine may be busy, and a browser login takes seconds.
          timeoutMs: 45_000,
        },
      },
      env: { LH_TEST_USER: 'audit-user', LH_TEST_PASSWORD: 'any' },
    });
    cleanup.push(() => prepared.close());
    // Two checks that need a real sign-in through the login and consent pages; kept small so the test stays
    // fast when the whole suite shares the machine's cores.
    const ids = ['provider.code.single-use', 'provider.state.echo'];
    const { results } = await runProviderChecks(providerCatalogOf(providerChecks), prepared.setup, {
      only: ids,
      concurrency: 1,
      checkTimeoutMs: 150_000,
    });
    // The summary of a verdict other than pass says what went wrong.
    expect(results.map((r) => [r.id, r.verdict, r.verdict === 'pass' ? '' : r.summary])).toEqual(
      ids.map((id) => [id, 'pass', '']),
    );
    // The evidence shows the browser went through the provider's pages.
    expect(results[1].transcript.some((e) => e.note?.includes('browser'))).toBe(true);
  }, 300_000);
});
