/**
 * Starts a browser-application lab: the reference SPA (examples/reference-spa/public/) served as it is,
 * except for a few exact text replacements in its public files. A lab's `server.ts` exports
 * `lab = { name, patches: [{ file: 'app.js', find: '...', replace: '...' }] }` and calls `runSpaLab(lab, import.meta.url)`, so the lab shows
 * its flaw and nothing else; everything not replaced is the reference SPA.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readEnv, type ExampleEnv } from '../../shared/env.js';
import { page } from '../../shared/html.js';
import { SECURITY_HEADERS } from '../../shared/http.js';
import { listen, runMain } from '../../shared/listen.js';

/** The reference SPA's public files, which every SPA lab serves. */
const PUBLIC = fileURLToPath(new URL('../../reference-spa/public/', import.meta.url));
const SCRIPTS = ['app.js', 'oidc.js'] as const;

/** A public file of the reference SPA. */
export type SpaFile = 'index.html' | (typeof SCRIPTS)[number];

/** One exact text replacement in a public file of the reference SPA. */
export interface SpaPatch {
  file: SpaFile;
  /** Text that occurs exactly once in the reference file (anything else stops the lab at start-up). */
  find: string;
  replace: string;
}

/** A browser-application lab: its name and what it changes about the reference SPA. */
export interface SpaLab {
  /** The server's name in its logs, e.g. `lab-spa-leak-url`. */
  name: string;
  /** Replacements in the public files, applied in order. */
  patches?: readonly SpaPatch[];
  /**
   * Extra fields of the configuration injected into index.html. The reference SPA refuses a client secret;
   * a lab that sets this may be started with OAUTH_CLIENT_SECRET.
   */
  config?: (env: ExampleEnv) => Record<string, unknown>;
  /**
   * Response headers that differ from the reference SPA's (examples/shared/http.ts): a string replaces
   * the header, `null` leaves it out.
   */
  headers?: Readonly<Record<string, string | null>>;
  /**
   * Files of a third-party host (an analytics vendor, a CDN) by path, e.g. `{ '/tag.js': '...' }`, served
   * by a second server on another port of the loopback interface, i.e. from another origin. Patched files
   * name that origin as `{{THIRD_PARTY}}`, and the page's Content-Security-Policy allows scripts from it.
   */
  thirdParty?: Readonly<Record<string, string>>;
}

/** Placeholder in patched files for the origin of the lab's third-party host. */
export const THIRD_PARTY_PLACEHOLDER = '{{THIRD_PARTY}}';

/**
 * Applies the patches to the files. A `find` that is missing or occurs twice throws, naming the file, so a
 * change to the reference SPA can never leave a lab silently unpatched (and so no longer vulnerable).
 */
export function applyPatches(files: Map<SpaFile, string>, patches: readonly SpaPatch[]): Map<SpaFile, string> {
  const out = new Map(files);
  for (const [i, p] of patches.entries()) {
    const text = out.get(p.file);
    if (text === undefined) throw new Error(`patches.${i}: no public file ${p.file}`);
    const at = text.indexOf(p.find);
    if (at < 0 || text.indexOf(p.find, at + 1) >= 0) {
      throw new Error(
        `patches.${i}: the text to replace must occur exactly once in ${p.file}: ${JSON.stringify(p.find)}`,
      );
    }
    out.set(p.file, text.slice(0, at) + p.replace + text.slice(at + p.find.length));
  }
  return out;
}

/**
 * Builds the lab server (not yet listening): the reference SPA's server with the lab's files.
 * `thirdPartyOrigin` is where the lab's {@link SpaLab.thirdParty} host listens, when it has one.
 */
export function createSpaLabServer(env: ExampleEnv, lab: SpaLab, thirdPartyOrigin?: string): Server {
  if (env.clientSecret && !lab.config) {
    throw new Error(
      'a browser app is a public client: it must not be given OAUTH_CLIENT_SECRET (RFC 6749 section 10.1)',
    );
  }
  const original = new Map<SpaFile, string>(
    (['index.html', ...SCRIPTS] as const).map((f) => [f, readFileSync(`${PUBLIC}${f}`, 'utf8')]),
  );
  const patched = applyPatches(original, lab.patches ?? []);
  const files = new Map(
    [...patched].map(([f, text]) => [
      f,
      thirdPartyOrigin ? text.replaceAll(THIRD_PARTY_PLACEHOLDER, thirdPartyOrigin) : text,
    ]),
  );
  const config = {
    issuer: env.issuer,
    clientId: env.clientId,
    redirectUri: env.redirectUri,
    scopes: env.scopes,
    apiBaseUrl: env.apiBaseUrl,
    ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
    ...lab.config?.(env),
  };
  // `<` escaped so the JSON can never close its <script> element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  const index = (files.get('index.html') ?? '').replace('{{CONFIG}}', json);
  const connect = [...new Set([new URL(env.issuer).origin, new URL(env.apiBaseUrl).origin])].join(' ');
  // The same Content-Security-Policy as the reference SPA (plus the lab's third-party host, if any).
  const headers = {
    'content-security-policy': `default-src 'none'; script-src 'self'${thirdPartyOrigin ? ` ${thirdPartyOrigin}` : ''}; connect-src 'self' ${connect}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };
  const callbackPath = new URL(env.redirectUri).pathname;
  const send = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void => {
    const all: Record<string, string | null> = {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      ...extra,
      ...lab.headers,
    };
    res.writeHead(status, Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null)));
    res.end(body);
  };
  const postLogoutPath = env.postLogoutRedirectUri ? new URL(env.postLogoutRedirectUri).pathname : undefined;
  const appPaths = new Set(['/', '/login', callbackPath, ...(postLogoutPath ? [postLogoutPath] : [])]);

  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://spa.invalid').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, page('Method not allowed', ''), { allow: 'GET, HEAD' });
    if (path === '/health') return send(res, 200, 'ok\n', { 'content-type': 'text/plain; charset=utf-8' });
    const name = path.slice(1);
    const script = (SCRIPTS as readonly string[]).includes(name) ? files.get(name as SpaFile) : undefined;
    if (script !== undefined)
      return send(res, 200, script, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
    if (appPaths.has(path)) return send(res, 200, index, headers);
    send(res, 404, page('Not found', ''), headers);
  });
}

/**
 * Runs the lab server with the environment its target.json sets, when `moduleUrl` (the lab's
 * `import.meta.url`) is the program being run; imported (by a test), it does nothing.
 */
export function runSpaLab(lab: SpaLab, moduleUrl: string): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  runMain(lab.name, async () => {
    const env = readEnv(process.env);
    const thirdParty = lab.thirdParty ? await listenThirdParty(lab.thirdParty, env.host) : undefined;
    await listen(createSpaLabServer(env, lab, thirdParty), lab.name, env.host, env.port);
  });
}

/** Serves a lab's third-party files on a free port of `host`; resolves to its origin. */
export async function listenThirdParty(files: Readonly<Record<string, string>>, host: string): Promise<string> {
  const server = createServer((req, res) => {
    const body = files[new URL(req.url ?? '/', 'http://third-party.invalid').pathname];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(body ?? '');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  // The lab's process ends on SIGTERM (examples/shared/listen.ts); this server needs no stop of its own.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return `http://${host}:${port}`;
}
