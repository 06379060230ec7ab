/**
 * Static server of the reference SPA: serves index.html (with the public configuration injected) and
 * the browser modules. It holds no tokens and no secret: the protocol runs in the browser (public/).
 * Start: `node ../shared/run-ts.mjs server.ts` with the environment its target.json sets.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readEnv, type ExampleEnv } from '../shared/env.js';
import { page } from '../shared/html.js';
import { send } from '../shared/http.js';
import { listen, runMain } from '../shared/listen.js';

const NAME = 'reference-spa';
const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const SCRIPTS = ['app.js', 'oidc.js'];

/** Builds the server (not yet listening). Exported for tests. */
export function createSpaServer(env: ExampleEnv): Server {
  if (env.clientSecret)
    throw new Error(
      'a browser app is a public client: it must not be given OAUTH_CLIENT_SECRET (RFC 6749 section 10.1)',
    );
  const config = {
    issuer: env.issuer,
    clientId: env.clientId,
    redirectUri: env.redirectUri,
    scopes: env.scopes,
    apiBaseUrl: env.apiBaseUrl,
    ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
  };
  // `<` escaped so the JSON can never close its <script> element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  const index = readFileSync(`${PUBLIC}index.html`, 'utf8').replace('{{CONFIG}}', json);
  const scripts = new Map(SCRIPTS.map((f) => [`/${f}`, readFileSync(`${PUBLIC}${f}`, 'utf8')]));
  const connect = [...new Set([new URL(env.issuer).origin, new URL(env.apiBaseUrl).origin])].join(' ');
  const headers = {
    // Scripts only from this origin; fetch only to this origin, the provider and the API.
    'content-security-policy': `default-src 'none'; script-src 'self'; connect-src 'self' ${connect}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };
  const callbackPath = new URL(env.redirectUri).pathname;
  const postLogoutPath = env.postLogoutRedirectUri ? new URL(env.postLogoutRedirectUri).pathname : undefined;
  const appPaths = new Set(['/', '/login', callbackPath, ...(postLogoutPath ? [postLogoutPath] : [])]);

  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://spa.invalid').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, page('Method not allowed', ''), { allow: 'GET, HEAD' });
    if (path === '/health') return send(res, 200, 'ok\n', { 'content-type': 'text/plain; charset=utf-8' });
    const script = scripts.get(path);
    if (script !== undefined)
      return send(res, 200, script, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
    if (appPaths.has(path)) return send(res, 200, index, headers);
    send(res, 404, page('Not found', ''), headers);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runMain(NAME, async () => {
    const env = readEnv(process.env);
    await listen(createSpaServer(env), NAME, env.host, env.port);
  });
}
