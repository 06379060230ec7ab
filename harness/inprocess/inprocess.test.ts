import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMockIdp } from '../../mock-idp/create-mock-idp.js';
import { HttpAgent } from '../agents/http.js';
import { resolveTarget } from '../manifest/resolve.js';
import { validateManifest } from '../manifest/validate.js';
import { freeLoopbackPort } from '../target/port.js';
import { TargetStartError } from '../target/start.js';
import { startInProcessTarget } from './start.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

async function setup(exportName = 'start') {
  const idp = await createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true });
  const template = validateManifest(
    {
      name: 'in-process',
      kind: 'web',
      client: { redirectUri: 'http://127.0.0.1:{{target.port}}/callback', scopes: ['openid'] },
      inProcess: { module: './app.ts', export: exportName, env: { ISSUER: '{{idp.issuer}}' } },
      login: { url: 'http://127.0.0.1:{{target.port}}/login' },
      signedIn: { url: 'http://127.0.0.1:{{target.port}}/me' },
    },
    fixtures,
  );
  const port = await freeLoopbackPort();
  const target = resolveTarget(template, {
    idp: {
      issuer: idp.issuer,
      discoveryUrl: idp.endpoints.discovery,
      authorizationEndpoint: idp.endpoints.authorization,
      tokenEndpoint: idp.endpoints.token,
      apiBaseUrl: idp.apiBaseUrl,
    },
    target: { port },
  });
  return { idp, target, port };
}

describe('startInProcessTarget', () => {
  it('runs an integration hard-wired to the real lexoffice host against the mock', async () => {
    const { idp, target, port } = await setup();
    expect(idp.issuer).toBe('https://login.lexoffice.io');
    expect(target.inProcess).toMatchObject({ module: path.join(fixtures, 'app.ts'), export: 'start', port });
    const running = await startInProcessTarget(target, idp);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/login`);
      const body = (await res.json()) as { status: number; issuer: string; authorize: string };
      expect(body.status).toBe(200);
      expect(body.issuer).toBe('https://login.lexoffice.io');
      // The provider saw the call: it went to the mock, not to the internet.
      expect(idp.journal.entries({ endpoint: 'discovery' })).toHaveLength(1);
      expect(running.logs()).toContain('discovered https://login.lexoffice.io for /login');
      expect(running.exited()).toBe(false);
      // The harness's own HTTP agent reaches the provider's real host through the same interception.
      const agent = new HttpAgent();
      const discovery = await agent.request({ url: idp.endpoints.discovery });
      expect(discovery.status).toBe(200);
      expect(JSON.parse(discovery.body)).toMatchObject({ issuer: 'https://login.lexoffice.io' });
    } finally {
      await running.stop();
    }
    expect(running.exited()).toBe(true);
    expect(await running.onExit).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${port}/login`)).rejects.toThrow();
  });

  it('reports an integration whose start throws and leaves nothing running', async () => {
    const { idp, target } = await setup('broken');
    const err = await startInProcessTarget(target, idp).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetStartError);
    expect((err as Error).message).toContain('missing LEXOFFICE_CLIENT_ID');
    // The interception was removed: a second in-process target can start.
    const ok = await setup();
    const running = await startInProcessTarget(ok.target, ok.idp);
    await running.stop();
  });

  it('reports a module without the named export', async () => {
    const { idp, target } = await setup('nope');
    const err = await startInProcessTarget(target, idp).catch((e: unknown) => e);
    expect((err as TargetStartError).kind).toBe('spawn');
    expect((err as Error).message).toContain('"nope"');
  });

  it('refuses a second in-process target while one runs', async () => {
    const a = await setup();
    const b = await setup();
    const running = await startInProcessTarget(a.target, a.idp);
    try {
      await expect(startInProcessTarget(b.target, b.idp)).rejects.toThrow(/one at a time/);
    } finally {
      await running.stop();
    }
  });
});
