/**
 * Test support for the examples: start an example the way its manifest would, and play a person's
 * user agent with plain fetch (a hand-kept cookie jar, redirects followed by hand).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOGIN_TAG_HEADER, type ClientRegistration, type MockIdp } from '../../mock-idp/types.js';

/** The examples folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface ManifestShape {
  client: {
    id: string;
    secret?: string;
    authMethod: ClientRegistration['authMethod'];
    redirectUri: string;
    scopes: string[];
    postLogoutRedirectUris?: string[];
    backchannelLogoutUri?: string;
  };
  start: { command: string[]; cwd?: string; env?: Record<string, string> };
  /** TARGETS.md §1.1: a native app, registered as one (any port on its loopback IP redirect URI). */
  native?: boolean;
}

/** A running example process. */
export interface RunningExample {
  /** `http://127.0.0.1:<port>` (web, spa). */
  origin: string;
  port: number;
  client: ManifestShape['client'];
  child: ChildProcess;
  /** stdout and stderr so far. */
  logs(): string;
  stop(): Promise<void>;
}

/** Substitutes the manifest placeholders the examples use. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{([a-zA-Z0-9.]+)\}\}/g, (m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`unknown placeholder ${m}`);
    return v;
  });
}

/**
 * Reads `examples/<name>/target.json`, registers its client at `idp` (and at `idp2`, the second
 * provider of a `"providers": 2` manifest), spawns its start command with the manifest's environment,
 * and (when `ready` is true) waits for `/health`.
 */
export async function startExample(
  name: string,
  idp: MockIdp,
  opts: { ready?: boolean; idp2?: MockIdp } = {},
): Promise<RunningExample> {
  const dir = path.join(EXAMPLES_DIR, name);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'target.json'), 'utf8')) as ManifestShape;
  const port = await freePort();
  const values: Record<string, string> = {
    'idp.issuer': idp.issuer,
    'idp.apiBaseUrl': idp.apiBaseUrl,
    'idp.authorizationEndpoint': idp.endpoints.authorization,
    'idp.tokenEndpoint': idp.endpoints.token,
    ...(opts.idp2 ? { 'idp2.issuer': opts.idp2.issuer, 'idp2.apiBaseUrl': opts.idp2.apiBaseUrl } : {}),
    'target.port': String(port),
  };
  const redirectUri = fill(manifest.client.redirectUri, values);
  Object.assign(values, {
    'client.id': manifest.client.id,
    'client.secret': manifest.client.secret ?? '',
    'client.redirectUri': redirectUri,
  });
  const client = { ...manifest.client, redirectUri };
  for (const provider of opts.idp2 ? [idp, opts.idp2] : [idp])
    provider.registerClient({
      clientId: client.id,
      clientSecret: client.secret,
      authMethod: client.authMethod,
      redirectUris: [redirectUri],
      ...(client.postLogoutRedirectUris
        ? { postLogoutRedirectUris: client.postLogoutRedirectUris.map((u) => fill(u, values)) }
        : {}),
      ...(client.backchannelLogoutUri ? { backchannelLogoutUri: fill(client.backchannelLogoutUri, values) } : {}),
      ...(manifest.native ? { applicationType: 'native' as const } : {}),
    });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(manifest.start.env ?? {})) env[k] = fill(v, values);
  const [cmd, ...args] = manifest.start.command;
  const child = spawn(cmd, args, {
    cwd: path.join(dir, manifest.start.cwd ?? '.'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const running: RunningExample = {
    origin,
    port,
    client,
    child,
    logs: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  if (opts.ready ?? true) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited before it was ready:\n${out}`);
      const ok = await fetch(`${origin}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) {
        await running.stop();
        throw new Error(`${name} did not get ready:\n${out}`);
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
    }
  }
  return running;
}

/** One hop a {@link UserAgent} made. */
export interface Hop {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

/** A person's user agent: a cookie jar per origin and redirects followed by hand. */
export class UserAgent {
  private readonly jar = new Map<string, Map<string, string>>();
  readonly hops: Hop[] = [];

  /** The raw Set-Cookie headers received, for flag checks. */
  readonly setCookies: string[] = [];

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const j = this.jar.get(origin) ?? new Map<string, string>();
    j.set(name, value);
    this.jar.set(origin, j);
  }

  /** One GET with this agent's cookies; no redirect followed. */
  async get(url: string): Promise<Hop> {
    const origin = new URL(url).origin;
    const cookies = [...(this.jar.get(origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
    for (const sc of res.headers.getSetCookie()) {
      this.setCookies.push(sc);
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const j = this.jar.get(origin) ?? new Map<string, string>();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) j.delete(name);
      else j.set(name, value);
      this.jar.set(origin, j);
    }
    const hop: Hop = { url, status: res.status, headers: res.headers, body: await res.text() };
    this.hops.push(hop);
    return hop;
  }

  /** GETs and follows redirects while `until` does not stop at the next location. */
  async follow(url: string, until: (next: string) => boolean = () => false): Promise<{ hop: Hop; stoppedAt?: string }> {
    let current = url;
    for (let i = 0; i < 10; i++) {
      const hop = await this.get(current);
      const loc = hop.headers.get('location');
      if (hop.status < 300 || hop.status >= 400 || !loc) return { hop };
      const next = new URL(loc, current).href;
      if (until(next)) return { hop, stoppedAt: next };
      current = next;
    }
    throw new Error('too many redirects');
  }
}

/**
 * Starts a login at the example and plays the person at the provider: returns the authorization URL
 * and the callback URL the provider redirected to (not yet delivered).
 */
export async function authorize(
  agent: UserAgent,
  loginUrl: string,
  idp: MockIdp,
  tag?: string,
): Promise<{ authorizationUrl: string; callbackUrl: string }> {
  const { stoppedAt } = await agent.follow(loginUrl, (next) => next.startsWith(idp.endpoints.authorization));
  if (!stoppedAt) throw new Error('the example did not send the person to the provider');
  // The tag binds the login (and its code and tokens) to the faults armed for it.
  const res = await fetch(stoppedAt, { redirect: 'manual', headers: tag ? { [LOGIN_TAG_HEADER]: tag } : {} });
  const loc = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || !loc)
    throw new Error(`the provider did not redirect (status ${res.status}): ${await res.text()}`);
  return { authorizationUrl: stoppedAt, callbackUrl: new URL(loc, stoppedAt).href };
}
