import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeClient, flowClient, runFlow, type FlowClient, type FlowTarget } from './flow.js';
import { startFloorProvider } from './floor.js';
import { PROVIDERS, type RunningProvider } from './providers.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

/**
 * A scripted provider: `/authorize` answers with `authorize(query)`'s location, `/token` and
 * `/userinfo` with the given statuses; records every request it gets.
 */
async function scripted(opts: { authorize: (q: URLSearchParams) => string; tokenStatus?: number }): Promise<{
  target: FlowTarget;
  seen: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }>;
  server: Server;
}> {
  const seen: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/authorize') {
        res.writeHead(302, { location: opts.authorize(url.searchParams) }).end();
      } else if (url.pathname === '/token') {
        res.writeHead(opts.tokenStatus ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'at-1', token_type: 'Bearer' }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: 'u1' }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    seen,
    target: {
      authorizationEndpoint: `${base}/authorize`,
      tokenEndpoint: `${base}/token`,
      userinfoEndpoint: `${base}/userinfo`,
      clientId: 'c 1',
      redirectUri: REDIRECT,
      scope: 'openid profile',
    },
  };
}

describe('the load generator', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  const client = (target: FlowTarget, c = 2): FlowClient => {
    const made = flowClient(target, c);
    cleanup.push(() => closeClient(made));
    return made;
  };

  it('completes a PKCE S256 login against each compared provider', async () => {
    for (const p of PROVIDERS) {
      const running: RunningProvider = await p.start();
      cleanup.push(() => running.close());
      const c = client(running.target);
      // Twice: the second flow reuses the pooled connections.
      await runFlow(c);
      await runFlow(c);
    }
  }, 60_000);

  it('sends the PKCE challenge of the verifier it later sends, form-encoded by hand', async () => {
    const { createHash } = await import('node:crypto');
    const p = await scripted({ authorize: (q) => `${REDIRECT}?code=a%2Fb+c&state=${q.get('state')}` });
    cleanup.push(() => new Promise<void>((r) => p.server.close(() => r())));
    await runFlow(client(p.target));
    const authz = new URL(p.seen[0].url, 'http://x').searchParams;
    expect(authz.get('response_type')).toBe('code');
    expect(authz.get('client_id')).toBe('c 1');
    expect(authz.get('redirect_uri')).toBe(REDIRECT);
    expect(authz.get('code_challenge_method')).toBe('S256');
    const token = new URLSearchParams(p.seen[1].body);
    expect(p.seen[1].method).toBe('POST');
    expect(p.seen[1].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token.get('grant_type')).toBe('authorization_code');
    expect(token.get('code')).toBe('a/b c');
    expect(token.get('client_id')).toBe('c 1');
    expect(token.get('redirect_uri')).toBe(REDIRECT);
    const verifier = token.get('code_verifier')!;
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authz.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(p.seen[2].headers.authorization).toBe('Bearer at-1');
  });

  it('the floor provider checks the verifier, redeems a code once and answers userinfo only to its tokens', async () => {
    const { createHash, verify } = await import('node:crypto');
    const floor = await startFloorProvider();
    cleanup.push(() => floor.close());
    const verifier = 'v'.repeat(43);
    const authorize = async (): Promise<string> => {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: 'c',
        redirect_uri: REDIRECT,
        state: 's',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      const res = await fetch(`${floor.origin}/authorize?${q}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('state')).toBe('s');
      return location.searchParams.get('code')!;
    };
    const redeem = (code: string, codeVerifier: string): Promise<Response> =>
      fetch(`${floor.origin}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'c',
          code,
          code_verifier: codeVerifier,
        }),
      });
    const wrong = await authorize();
    expect((await redeem(wrong, 'w'.repeat(43))).status).toBe(400);
    // A refused redemption spends the code too.
    expect((await redeem(wrong, verifier)).status).toBe(400);
    const code = await authorize();
    const ok = await redeem(code, verifier);
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { access_token: string; id_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');
    for (const jwt of [tokens.access_token, tokens.id_token]) {
      const [header, payload, signature] = jwt.split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'RS256' });
      // Really signed (RS256: RSASSA-PKCS1-v1_5 with SHA-256 over the signing input), not padded out.
      expect(
        verify('sha256', Buffer.from(`${header}.${payload}`), floor.publicKey, Buffer.from(signature, 'base64url')),
      ).toBe(true);
    }
    const idClaims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString()) as {
      at_hash: string;
    };
    expect(idClaims.at_hash).toBe(
      createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url'),
    );
    expect((await redeem(code, verifier)).status).toBe(400);
    const userinfo = (token: string): Promise<Response> =>
      fetch(`${floor.origin}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    expect((await userinfo(`${tokens.access_token}x`)).status).toBe(401);
  });

  it('fails a flow whose state is not echoed, or whose token request is refused', async () => {
    const wrongState = await scripted({ authorize: () => `${REDIRECT}?code=x&state=other` });
    cleanup.push(() => new Promise<void>((r) => wrongState.server.close(() => r())));
    await expect(runFlow(client(wrongState.target))).rejects.toThrow('authorization: state not echoed');
    const refused = await scripted({
      authorize: (q) => `${REDIRECT}?code=x&state=${q.get('state')}`,
      tokenStatus: 400,
    });
    cleanup.push(() => new Promise<void>((r) => refused.server.close(() => r())));
    await expect(runFlow(client(refused.target))).rejects.toThrow('token: 400');
  });
});
