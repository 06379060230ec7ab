/**
 * The floor of the comparison: a provider with nothing but node:http and the work this flow cannot do
 * without, so the `idp` suite can show how far any node:http provider could get on this machine.
 *
 * Per flow it does what our mock and oauth2-mock-server must also do, and nothing else:
 * - `/authorize`: a random code remembered with its PKCE challenge, a 302 to the redirect URI with
 *   `code` and `state`;
 * - `/token`: the code redeemed once, the verifier checked against the S256 challenge (RFC 7636 4.6),
 *   an access token and an ID token signed RS256 with one RSA-2048 key (the ID token with `at_hash`);
 * - `/userinfo`: the bearer token looked up, `sub` and `name` answered.
 *
 * No discovery, no client registry, no journal, no faults, no redaction: those are what a mock adds.
 * Signing goes to the thread pool while other requests are being served or other connections were
 * recently active, by our mock's own rule (`connectionActivity`), so the floor uses both cores the way
 * our mock can.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connectionActivity } from '../../mock-idp/transports/connection-activity.js';

export interface FloorProvider {
  origin: string;
  /** The key its tokens verify with. */
  publicKey: KeyObject;
  close(): Promise<void>;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'floor', typ: 'JWT' })).toString('base64url');

/** Codes and tokens kept at most this long, ms (a flow redeems its code within milliseconds). */
const LIFETIME_MS = 60_000;

function signInput(input: string, key: KeyObject, offThread: boolean): Promise<string> | string {
  const data = Buffer.from(input);
  if (!offThread) return `${input}.${sign('sha256', data, key).toString('base64url')}`;
  return new Promise((resolve, reject) => {
    sign('sha256', data, key, (error, signature) =>
      error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`),
    );
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Starts the floor provider on 127.0.0.1 (a free port). */
export async function startFloorProvider(): Promise<FloorProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const codes = new Map<string, { challenge: string; clientId: string; nonce: string | null; at: number }>();
  const tokens = new Map<string, number>();
  let origin = '';
  let inFlight = 0;

  const sweep = (now: number): void => {
    for (const [code, c] of codes) if (now - c.at > LIFETIME_MS) codes.delete(code);
    for (const [token, at] of tokens) if (now - at > LIFETIME_MS) tokens.delete(token);
  };
  const sweeper = setInterval(() => sweep(Date.now()), LIFETIME_MS);
  sweeper.unref();

  const othersActive = connectionActivity();

  const token = async (req: IncomingMessage, res: ServerResponse, others: boolean): Promise<void> => {
    // Stream events: an async iterator over a small body costs more than the rest of its handling.
    const body = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.once('error', reject);
    });
    const form = new URLSearchParams(body);
    const code = form.get('code') ?? '';
    const grant = codes.get(code);
    codes.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    if (
      form.get('grant_type') !== 'authorization_code' ||
      !grant ||
      grant.clientId !== form.get('client_id') ||
      createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
    ) {
      json(res, 400, { error: 'invalid_grant' });
      return;
    }
    const iat = Math.floor(Date.now() / 1000);
    const offThread = inFlight > 1 || others;
    const claims = { iss: origin, sub: 'floor-user', iat, exp: iat + 3600 };
    const accessToken = await signInput(
      `${HEADER}.${Buffer.from(JSON.stringify({ ...claims, aud: origin, client_id: grant.clientId, jti: randomBytes(12).toString('base64url') })).toString('base64url')}`,
      privateKey,
      offThread,
    );
    const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
    const idToken = await signInput(
      `${HEADER}.${Buffer.from(JSON.stringify({ ...claims, aud: grant.clientId, nonce: grant.nonce ?? undefined, at_hash: atHash })).toString('base64url')}`,
      privateKey,
      offThread,
    );
    tokens.set(accessToken, Date.now());
    json(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 3600,
      id_token: idToken,
      scope: 'openid profile',
    });
  };

  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
    const others = othersActive(req.socket, performance.now());
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirect = q.get('redirect_uri');
      const challenge = q.get('code_challenge');
      if (!redirect || !challenge || q.get('code_challenge_method') !== 'S256' || q.get('response_type') !== 'code') {
        json(res, 400, { error: 'invalid_request' });
        return;
      }
      const code = randomBytes(16).toString('base64url');
      codes.set(code, { challenge, clientId: q.get('client_id') ?? '', nonce: q.get('nonce'), at: Date.now() });
      const state = q.get('state');
      const location = `${redirect}?code=${code}${state !== null ? `&state=${encodeURIComponent(state)}` : ''}`;
      res.writeHead(302, { location, 'content-length': '0' }).end();
    } else if (url.pathname === '/token' && req.method === 'POST') {
      token(req, res, others).catch((error: unknown) => json(res, 500, { error: String(error) }));
    } else if (url.pathname === '/userinfo') {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-length': '0' }).end();
        return;
      }
      json(res, 200, { sub: 'floor-user', name: 'Floor User' });
    } else {
      json(res, 404, { error: 'not_found' });
    }
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    publicKey,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(sweeper);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
