/**
 * The three providers compared by the `idp` suite, each started on 127.0.0.1 with one public client
 * (PKCE S256, `none` client authentication) and automatic approval:
 *
 * - our mock (`startMockIdp`, `lexoffice` profile): approves in the authorization response itself;
 * - oauth2-mock-server: approves in the authorization response itself;
 * - oidc-provider: sends the user agent to an interaction URL; a tiny handler there records login and
 *   consent at once (`interactionFinished`), which is how an application auto-approves with it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { FlowTarget } from './flow.js';

export interface RunningProvider {
  name: string;
  version: string;
  target: FlowTarget;
  close(): Promise<void>;
}

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const CLIENT_ID = 'bench-client';

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

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
  const { default: Provider } = await import('oidc-provider');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bench' };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['bench-cookie-signing-key'] },
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, name: 'Bench User' }),
    }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Explicit lifetimes, so the provider does not warn about its defaults on every flow.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  });
  // Errors are answered to the client as RFC 6749 errors; the default listener would also log them.
  provider.on('server_error', () => {});
  const app = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) {
      app(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const accountId = 'bench-user';
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
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
    close: () => closeServer(server),
  };
}

/** In the order they are measured and printed. */
export const PROVIDERS: { name: string; start: () => Promise<RunningProvider> }[] = [
  { name: 'login-harness mock-idp', start: startOurMock },
  { name: 'oauth2-mock-server', start: startOauth2MockServer },
  { name: 'oidc-provider', start: startOidcProvider },
];
