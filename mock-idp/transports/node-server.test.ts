import { EventEmitter } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { PUBLIC_CLIENT, login, obtainCode, startTestIdp } from '../testing/login-flow.js';
import { OTHERS_ACTIVE_MS, connectionActivity, readBody, startMockIdp } from './node-server.js';

describe('node server transport', () => {
  it('listens on 127.0.0.1 with a free port and rebases the issuer onto it', async () => {
    const running = await startMockIdp({});
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.idp.issuer).toBe(running.url);
      expect((await fetch(`${running.url}/.well-known/openid-configuration`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('refuses a non-loopback host unless allowNonLoopback is set', async () => {
    await expect(startMockIdp({ host: '0.0.0.0' })).rejects.toThrow(/allowNonLoopback/);
  });

  it('answers a method the Fetch standard forbids with 405, not 500', async () => {
    const running = await startMockIdp({});
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${running.url}/oauth2/token`, { method: 'TRACE' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(405);
    } finally {
      await running.close();
    }
  });

  it('closes so that the port no longer answers', async () => {
    const running = await startMockIdp({});
    await running.close();
    await expect(fetch(`${running.url}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it('does not start when the options are invalid, naming the path', async () => {
    await expect(startMockIdp({ settings: { codeTtl: -1 } })).rejects.toThrow('settings.codeTtl');
    await expect(startMockIdp({ permissive: ['not-a-mode' as never] })).rejects.toThrow('options.permissive[0]');
    await expect(startMockIdp({ discoveryFaults: ['discovery.x' as never] })).rejects.toThrow(
      'options.discoveryFaults[0]',
    );
  });

  it('refuses to arm an unknown fault', async () => {
    const running = await startMockIdp({});
    try {
      expect(() => running.idp.faults.arm('t', { name: 'callback.nope' } as never)).toThrow(/invalid fault/);
      expect(() => running.idp.faults.arm('t', { name: 'token.malformed', variant: 'x' } as never)).toThrow(
        'fault.variant',
      );
      expect(() => running.idp.faults.arm('t', { name: 'id-token.expired' })).not.toThrow();
    } finally {
      await running.close();
    }
  });
});

describe('determinism', () => {
  it('gives the same codes and tokens per tag for the same seed, whatever else runs', async () => {
    const runA = await startTestIdp({ seed: 42 });
    const runB = await startTestIdp({ seed: 42 });
    const other = await startTestIdp({ seed: 43 });
    try {
      // Run B sees other logins interleaved; per-tag counters keep tag t's values the same.
      const [a] = await Promise.all([login(runA.idp, PUBLIC_CLIENT, { tag: 't' })]);
      const [, b] = await Promise.all([
        login(runB.idp, PUBLIC_CLIENT, { tag: 'noise' }),
        login(runB.idp, PUBLIC_CLIENT, { tag: 't' }),
      ]);
      const c = await login(other.idp, PUBLIC_CLIENT, { tag: 't' });
      // JWTs name the listening origin (different ports); the opaque values and the jti must be equal.
      const values = (run: typeof runA) =>
        run.idp.journal
          .issued({ tag: 't' })
          .map((x) => (x.kind === 'access_token' ? decodeJwt(x.value).jti : x.kind === 'id_token' ? x.kind : x.value));
      expect(values(runA)).toEqual(values(runB));
      expect(values(runA)).toHaveLength(4);
      expect(a.json.refresh_token).toBe(b.json.refresh_token);
      expect(values(other)[0]).not.toBe(values(runA)[0]);
      expect(decodeJwt(c.json.access_token as string).jti).not.toBe(decodeJwt(a.json.access_token as string).jti);
      expect(await runA.idp.keys.currentPublicJwk()).toEqual(await runB.idp.keys.currentPublicJwk());
      expect((await other.idp.keys.currentPublicJwk()).kid).not.toBe((await runA.idp.keys.currentPublicJwk()).kid);
    } finally {
      await Promise.all([runA.close(), runB.close(), other.close()]);
    }
  });

  it('gives codes of at least 128 bits', async () => {
    const running = await startTestIdp();
    try {
      const { code } = await obtainCode(running.idp, PUBLIC_CLIENT);
      expect(Buffer.from(code, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    } finally {
      await running.close();
    }
  });

  it('counts a client alone while only its connection sends, and not for a while after another one did', () => {
    const activity = connectionActivity();
    const one = {};
    const other = {};
    expect([0, 1, 500, 10_000].map((t) => activity(one, t))).toEqual([false, false, false, false]);
    expect(activity(other, 10_001)).toBe(true);
    expect(activity(one, 10_002)).toBe(true);
    expect(activity(one, 10_002 + OTHERS_ACTIVE_MS)).toBe(false);
  });
});

describe('reading a request body', () => {
  /** A request as readBody sees it: its events, and whether node received the whole message. */
  const fakeRequest = (): IncomingMessage & { complete: boolean } =>
    Object.assign(new EventEmitter(), { complete: false }) as unknown as IncomingMessage & { complete: boolean };

  it('gives the body of a request that arrived whole, and makes no Error at its close', async () => {
    // Every request closes after its end: an Error made there for nothing captured a stack trace per request.
    const req = fakeRequest();
    const body = readBody(req, 'POST');
    req.emit('data', Buffer.from('grant_type=authorization_'));
    req.emit('data', Buffer.from('code'));
    req.complete = true;
    req.emit('end');
    const Original = globalThis.Error;
    let made = 0;
    globalThis.Error = class extends Original {
      constructor(...args: ConstructorParameters<ErrorConstructor>) {
        super(...args);
        made += 1;
      }
    } as ErrorConstructor;
    try {
      req.emit('close');
    } finally {
      globalThis.Error = Original;
    }
    expect(made).toBe(0);
    await expect(body).resolves.toBe('grant_type=authorization_code');
  });

  it('rejects a body that broke off: the connection closed before the message was complete', async () => {
    const req = fakeRequest();
    const body = readBody(req, 'POST');
    req.emit('data', Buffer.from('grant_type=auth'));
    req.emit('close');
    await expect(body).rejects.toThrow(/broke off/);
  });

  it('reads no body for GET and HEAD', async () => {
    await expect(readBody(fakeRequest(), 'GET')).resolves.toBe('');
    await expect(readBody(fakeRequest(), 'HEAD')).resolves.toBe('');
  });
});
