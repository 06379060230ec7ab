/**
 * The three providers compared by the `idp` suite, each started on 127.0.0.1 with one public client
 * (PKCE S256, `none` client authentication) and automatic approval:
 *
 * - our mock (`startMockIdp`, `lexoffice` profile): approves in the authorization response itself;
 * - oauth2-mock-server: approves in the authorization response itself;
 * - oidc-provider: sends the user agent to an interaction URL; a tiny handler there records login and
 *   consent at once (`interactionFinished`), which is how an application auto-approves with it.
 */
import { startOidcProviderServer } from '../../harness/provider/testing/oidc-provider.js';
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

/** Our mock on the node:http transport. */
export async function startOurMock(): Promise<RunningProvider> {
  const { startMockIdp } = await import('../../mock-idp/transports/node-server.js');
  const running = await startMockIdp({ profile: 'lexoffice', seed: 1 });
  const { idp } = running;
  idp.registerClient({ clientId: CLIENT_ID, authMethod: 'none', redirectUris: [REDIRECT_URI] });
  if (!idp.endpoints.userinfo) throw new Error('lexoffice profile has no userinfo endpoint');
  return {
    name: 'login-harness mock-idp',
    version: 'workspace',
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

/** In the order they are measured and printed. */
export const PROVIDERS: { name: string; start: () => Promise<RunningProvider> }[] = [
  { name: 'login-harness mock-idp', start: startOurMock },
  { name: 'oauth2-mock-server', start: startOauth2MockServer },
  { name: 'oidc-provider', start: startOidcProvider },
];
