/**
 * One full login as a public client does it: authorization request with PKCE S256 (RFC 7636 4.2),
 * following the provider's redirects (with a cookie jar, for providers that go through an interaction
 * page) until the redirect to the client's redirect URI, then the token request with the verifier
 * and a userinfo call with the access token. Every provider in the comparison is driven by this same
 * code.
 *
 * The load generator shares the machine's cores with the provider it measures, so it is kept light:
 * plain `node:http` over a keep-alive agent (one socket per concurrent worker), request targets and
 * form bodies built as strings, responses read as raw bytes. (Through `fetch` the client side cost
 * 1.4-3.3 ms of CPU per flow, about as much as the fastest provider itself.)
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** What a provider under test exposes to the flow. */
export interface FlowTarget {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

/** How the load is generated, recorded with the figures (it competes with the providers for CPU). */
export const GENERATOR = 'node:http, keep-alive agent with maxSockets = concurrency, bodies built by hand';

/** A provider's flow with its connection pool and the request parts that do not change per flow. */
export interface FlowClient {
  target: FlowTarget;
  agent: Agent;
  /** `/authorize?response_type=code&client_id=...&code_challenge_method=S256`, per-flow values follow. */
  authorizePrefix: string;
  authorizeOrigin: string;
  token: { host: string; port: number; path: string; bodyPrefix: string };
  userinfo: { host: string; port: number; path: string };
}

const enc = encodeURIComponent;

/** A client for `target` with a pool of `concurrency` keep-alive connections per origin. */
export function flowClient(target: FlowTarget, concurrency: number): FlowClient {
  const auth = new URL(target.authorizationEndpoint);
  if (auth.protocol !== 'http:') throw new Error(`the load generator speaks http only: ${auth.href}`);
  const token = new URL(target.tokenEndpoint);
  const userinfo = new URL(target.userinfoEndpoint);
  const sep = auth.search ? '&' : '?';
  return {
    target,
    agent: new Agent({ keepAlive: true, maxSockets: concurrency }),
    authorizePrefix:
      `${auth.pathname}${auth.search}${sep}response_type=code&client_id=${enc(target.clientId)}` +
      `&redirect_uri=${enc(target.redirectUri)}&scope=${enc(target.scope)}&code_challenge_method=S256`,
    authorizeOrigin: auth.origin,
    token: {
      host: token.hostname,
      port: Number(token.port || 80),
      path: token.pathname + token.search,
      bodyPrefix: `grant_type=authorization_code&client_id=${enc(target.clientId)}&redirect_uri=${enc(target.redirectUri)}`,
    },
    userinfo: { host: userinfo.hostname, port: Number(userinfo.port || 80), path: userinfo.pathname + userinfo.search },
  };
}

/** Closes the client's idle connections. */
export function closeClient(client: FlowClient): void {
  client.agent.destroy();
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(
  agent: Agent,
  host: string,
  port: number,
  path: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function updateJar(jar: Map<string, string>, setCookie: string[] | undefined): void {
  for (const sc of setCookie ?? []) {
    const semi = sc.indexOf(';');
    const pair = semi < 0 ? sc : sc.slice(0, semi);
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(sc)) jar.delete(name);
    else jar.set(name, value);
  }
}

/** Runs one login; throws with the step that failed. */
export async function runFlow(c: FlowClient): Promise<void> {
  const t = c.target;
  // One draw for the verifier (32 bytes), state and nonce (16 each); base64url needs no escaping.
  const rnd = randomBytes(64);
  const verifier = rnd.subarray(0, 32).toString('base64url');
  const state = rnd.subarray(32, 48).toString('base64url');
  const nonce = rnd.subarray(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  const jar = new Map<string, string>();
  let next = new URL(
    `${c.authorizePrefix}&state=${state}&nonce=${nonce}&code_challenge=${challenge}`,
    c.authorizeOrigin,
  );
  let callback: string | undefined;
  for (let hop = 0; hop < 10 && callback === undefined; hop++) {
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await send(
      c.agent,
      next.hostname,
      Number(next.port || 80),
      next.pathname + next.search,
      'GET',
      headers,
    );
    updateJar(jar, res.headers['set-cookie']);
    const location = res.headers.location;
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`authorization: expected a redirect, got ${res.status}`);
    }
    if (location.startsWith(t.redirectUri)) callback = location;
    else next = new URL(location, next);
  }
  if (callback === undefined) throw new Error('authorization: too many redirects');
  const query = new URLSearchParams(callback.slice(callback.indexOf('?') + 1));
  const code = query.get('code');
  if (!code) throw new Error('authorization: no code in the redirect');
  if (query.get('state') !== state) throw new Error('authorization: state not echoed');

  const body = `${c.token.bodyPrefix}&code=${enc(code)}&code_verifier=${verifier}`;
  const tokenRes = await send(
    c.agent,
    c.token.host,
    c.token.port,
    c.token.path,
    'POST',
    {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      accept: 'application/json',
    },
    body,
  );
  if (tokenRes.status !== 200) throw new Error(`token: ${tokenRes.status}`);
  const tokens = JSON.parse(tokenRes.body.toString('utf8')) as { access_token?: string };
  if (!tokens.access_token) throw new Error('token: no access_token');

  const ui = await send(c.agent, c.userinfo.host, c.userinfo.port, c.userinfo.path, 'GET', {
    authorization: `Bearer ${tokens.access_token}`,
    accept: 'application/json',
  });
  if (ui.status !== 200) throw new Error(`userinfo: ${ui.status}`);
  const claims = JSON.parse(ui.body.toString('utf8')) as { sub?: string };
  if (!claims.sub) throw new Error('userinfo: no sub');
}
