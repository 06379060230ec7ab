/**
 * The providers compared by the `idp` suite, each started on 127.0.0.1 with one public client
 * (PKCE S256, `none` client authentication) and automatic approval:
 *
 * - our mock (`startMockIdp`, `lexoffice` profile): approves in the authorization response itself;
 *   run as the package ships it, compiled to `dist/` (see {@link compiledMock});
 * - oauth2-mock-server: approves in the authorization response itself;
 * - oidc-provider: sends the user agent to an interaction URL; a tiny handler there records login and
 *   consent at once (`interactionFinished`), which is how an application auto-approves with it;
 * - the floor (bench/idp/floor.ts): node:http with only the PKCE check and the flow's two signatures,
 *   the most a provider on node:http could reach here.
 */
import { z } from 'zod';
import { startOidcProviderServer } from '../../harness/provider/testing/oidc-provider.js';
import { startFloorProvider } from './floor.js';
import type { FlowTarget } from './flow.js';

export interface RunningProvider {
  name: string;
  version: string;
  target: FlowTarget;
  close(): Promise<void>;
}

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const CLIENT_ID = 'bench-client';

async function packageVersion(name: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  // Some packages do not export package.json; find it next to the resolved entry instead.
  let dir = require.resolve(name);
  const { dirname, join } = await import('node:path');
  for (let i = 0; i < 5; i++) {
    dir = dirname(dir);
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'unknown';
    } catch {
      // keep walking up
    }
  }
  return 'unknown';
}

type NodeServerModule = typeof import('../../mock-idp/transports/node-server.js');

const ROOT = new URL('../../', import.meta.url);
/** The sources the mock is compiled from (what `tsconfig.build.json` compiles of them). */
const MOCK_SOURCE_DIRS = ['mock-idp', 'core'];

/**
 * The compiled node transport (`dist/mock-idp/transports/node-server.js`) when `dist/` was built from
 * the mock's sources as they are now; `undefined` when it is missing or stale.
 *
 * The baselines run as their packages ship them, plain JavaScript. Run from its TypeScript source, our
 * mock would go through the tsx loader, whose output wraps every function expression in a naming
 * helper (esbuild's `keepNames`): a per-request closure then costs a property definition, and the
 * mock 4-7 % more CPU per flow than the compiled code the package ships.
 *
 * Up to date means: every source file of the mock (`mock-idp/`, `core/`, without tests) has its output
 * in `dist/`, and its content hash is the one the TypeScript build recorded in `dist/.tsbuildinfo`
 * (modification times would not do: the incremental build leaves unchanged outputs untouched).
 * `root` is the repository's root (a test's own directory).
 */
export async function compiledMock(root: URL = ROOT): Promise<URL | undefined> {
  const { access, readdir, readFile } = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  const { fileURLToPath } = await import('node:url');
  let built: Map<string, string>;
  try {
    const info = z
      .object({
        fileNames: z.array(z.string()),
        fileInfos: z.array(z.union([z.string(), z.object({ version: z.string() })])),
      })
      .parse(JSON.parse(await readFile(new URL('dist/.tsbuildinfo', root), 'utf8')));
    built = new Map(
      info.fileNames.map((name, i) => {
        const fileInfo = info.fileInfos[i];
        return [name, typeof fileInfo === 'string' ? fileInfo : (fileInfo?.version ?? '')];
      }),
    );
  } catch {
    return undefined;
  }
  for (const dir of MOCK_SOURCE_DIRS) {
    const files = await readdir(fileURLToPath(new URL(`${dir}/`, root)), { recursive: true });
    for (const file of files) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.endsWith('.d.ts')) continue;
      // Not compiled (tsconfig.build.json excludes them), and never part of the served provider.
      if (/(^|\/)(testing|fuzz|fixtures)\//.test(file)) continue;
      const path = `${dir}/${file}`;
      const hash = createHash('sha256')
        .update(await readFile(new URL(path, root)))
        .digest('hex');
      if (built.get(`../${path}`) !== hash) return undefined;
      try {
        await access(new URL(`dist/${path.replace(/\.ts$/, '.js')}`, root));
      } catch {
        return undefined;
      }
    }
  }
  return new URL('dist/mock-idp/transports/node-server.js', root);
}

/** Our mock's node:http transport: compiled when `dist/` is up to date (`compiled`), else from source. */
export async function nodeTransport(): Promise<{ module: NodeServerModule; compiled: boolean }> {
  const compiled = await compiledMock();
  return compiled
    ? { module: (await import(compiled.href)) as NodeServerModule, compiled: true }
    : { module: await import('../../mock-idp/transports/node-server.js'), compiled: false };
}

/** Our mock on the node:http transport: compiled when `dist/` is up to date, else from source. */
export async function startOurMock(): Promise<RunningProvider> {
  const {
    module: { startMockIdp },
    compiled,
  } = await nodeTransport();
  const running = await startMockIdp({ profile: 'lexoffice', seed: 1 });
  const { idp } = running;
  idp.registerClient({ clientId: CLIENT_ID, authMethod: 'none', redirectUris: [REDIRECT_URI] });
  if (!idp.endpoints.userinfo) throw new Error('lexoffice profile has no userinfo endpoint');
  return {
    name: 'login-harness mock-idp',
    // Says whether the figures are those of the compiled mock (run `npm run build` first) or not.
    version: compiled ? 'workspace (dist)' : 'workspace (source through tsx: run npm run build)',
    target: {
      authorizationEndpoint: idp.endpoints.authorization,
      tokenEndpoint: idp.endpoints.token,
      userinfoEndpoint: idp.endpoints.userinfo,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: 'openid profile',
    },
    close: () => running.close(),
  };
}

/** oauth2-mock-server: auto-approves any client; verifies PKCE when a challenge was sent. */
export async function startOauth2MockServer(): Promise<RunningProvider> {
  const { OAuth2Server } = await import('oauth2-mock-server');
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const issuer = server.issuer.url;
  if (!issuer) throw new Error('oauth2-mock-server did not report its issuer URL');
  return {
    name: 'oauth2-mock-server',
    version: await packageVersion('oauth2-mock-server'),
    target: {
      authorizationEndpoint: `${issuer}/authorize`,
      tokenEndpoint: `${issuer}/token`,
      userinfoEndpoint: `${issuer}/userinfo`,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: 'openid profile',
    },
    close: () => server.stop(),
  };
}

/** oidc-provider v9 with PKCE required for the public client and an auto-approving interaction. */
export async function startOidcProvider(): Promise<RunningProvider> {
  const { issuer, close } = await startOidcProviderServer({
    clients: [
      {
        client_id: CLIENT_ID,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['name'] },
    accountClaims: { name: 'Bench User' },
    accountId: 'bench-user',
    keyId: 'bench',
    pkceRequired: true,
  });
  return {
    name: 'oidc-provider',
    version: await packageVersion('oidc-provider'),
    target: {
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      userinfoEndpoint: `${issuer}/me`,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: 'openid profile',
    },
    close,
  };
}

/** The floor (bench/idp/floor.ts): node:http, the PKCE check and the flow's two signatures, nothing else. */
export const FLOOR = 'node:http floor';

export async function startFloor(): Promise<RunningProvider> {
  const floor = await startFloorProvider();
  return {
    name: FLOOR,
    version: `node ${process.version}`,
    target: {
      authorizationEndpoint: `${floor.origin}/authorize`,
      tokenEndpoint: `${floor.origin}/token`,
      userinfoEndpoint: `${floor.origin}/userinfo`,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: 'openid profile',
    },
    close: () => floor.close(),
  };
}

/** In the order they are measured and printed. */
export const PROVIDERS: { name: string; start: () => Promise<RunningProvider> }[] = [
  { name: 'login-harness mock-idp', start: startOurMock },
  { name: 'oauth2-mock-server', start: startOauth2MockServer },
  { name: 'oidc-provider', start: startOidcProvider },
  { name: FLOOR, start: startFloor },
];
