/**
 * panva's oidc-provider (v9, OpenID certified) on loopback as a real authorization server to audit.
 * Interactions are approved programmatically: a small handler at the interaction URL signs the person
 * in and grants the requested scopes at once, which is how an application auto-approves with it. The
 * audits (scenarios/provider) and the `idp` benchmark (bench/idp) both start it from here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { ClientFile } from '../config.js';

/** How the provider is configured for one audit. */
export interface OidcProviderOptions {
  /** `pkce.required` for public clients (default true, the library's default). */
  pkceRequired?: boolean;
  /** Refresh token rotation for public clients (default true, the library's default). */
  rotation?: boolean;
  /** Redirect URI all test clients register. */
  redirectUri: string;
  /**
   * `auto` (default): a handler at the interaction URL approves at once. `dev`: the library's own
   * login and consent pages (devInteractions), for driving a real browser through them.
   */
  interactions?: 'auto' | 'dev';
  /** Pushed authorization requests: `required` sets `requirePushedAuthorizationRequests` (default: offered). */
  par?: 'offered' | 'required' | 'off';
  /** DPoP (`features.dPoP`, the library's default: on). */
  dpop?: boolean;
  /**
   * Error pages refuse framing (default true), as a deployment's own `renderError` should: the library's
   * default error page is a placeholder it asks to be replaced, and sends no X-Frame-Options or CSP.
   */
  framingRefused?: boolean;
}

export interface RunningOidcProvider {
  issuer: string;
  /** A client file for the audit: two public clients, a confidential one and a private_key_jwt one. */
  clientFile: ClientFile;
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

/** How oidc-provider is set up: the parts the audits and the benchmark differ in. */
export interface OidcProviderServerOptions {
  /** Client metadata as oidc-provider takes it. */
  clients: Array<Record<string, unknown>>;
  /** Scopes besides the OIDC ones (`scopes` configuration); default the library's. */
  scopes?: string[];
  /** Claims per scope; default `{ openid: ['sub'] }`. */
  claims?: Record<string, string[]>;
  /** Extra claims of every account besides `sub`. */
  accountClaims?: Record<string, unknown>;
  /** The account the automatic interaction signs in. */
  accountId: string;
  /** Key id of the signing key; also names the cookie signing key. */
  keyId: string;
  /** `pkce.required` for every client; default the library's (required for public clients). */
  pkceRequired?: boolean;
  /** `rotateRefreshToken`; default the library's (rotation on). */
  rotation?: boolean;
  /** `auto` (default): approved at once at the interaction URL. `dev`: the library's own pages. */
  interactions?: 'auto' | 'dev';
  /** Features besides interactions, e.g. `{ revocation: { enabled: true } }`. */
  features?: Record<string, unknown>;
  /** Error pages send `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'` (a `renderError` of ours). */
  framingRefused?: boolean;
}

/** Starts oidc-provider on 127.0.0.1 with an RS256 key, explicit lifetimes and the chosen interactions. */
export async function startOidcProviderServer(
  opts: OidcProviderServerOptions,
): Promise<{ issuer: string; close(): Promise<void> }> {
  const { default: Provider } = await import('oidc-provider');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: opts.keyId };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const dev = opts.interactions === 'dev';
  const configuration: Record<string, unknown> = {
    clients: opts.clients,
    jwks: { keys: [jwk] },
    cookies: { keys: [`lh-${opts.keyId}-cookie-signing-key`] },
    claims: opts.claims ?? { openid: ['sub'] },
    ...(opts.scopes ? { scopes: opts.scopes } : {}),
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, ...opts.accountClaims }),
    }),
    features: { ...opts.features, devInteractions: { enabled: dev } },
    // Explicit lifetimes, so the provider does not warn about its defaults on every flow.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86400,
    },
  };
  if (!dev) {
    configuration.interactions = {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    };
  }
  if (opts.framingRefused) {
    // RFC 9700 4.16: error pages too. The library leaves the look of the error page to the application.
    configuration.renderError = (
      ctx: { type: string; body: string; set(name: string, value: string): void },
      out: Record<string, string>,
    ) => {
      ctx.set('x-frame-options', 'DENY');
      ctx.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      ctx.type = 'html';
      const escape = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><title>Error</title><p>${escape(out.error ?? 'error')}: ${escape(out.error_description ?? '')}</p>`;
    };
  }
  if (opts.pkceRequired !== undefined) configuration.pkce = { required: () => opts.pkceRequired };
  if (opts.rotation === false) configuration.rotateRefreshToken = false;
  const provider = new Provider(issuer, configuration);
  // Errors are answered to the client as RFC 6749 errors; the default listener would also log them.
  provider.on('server_error', () => {});
  const app = provider.callback();
  server.on('request', (req, res) => {
    if (dev || !req.url?.startsWith('/interaction/')) {
      app(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: opts.accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: opts.accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  return { issuer, close: () => closeServer(server) };
}

/** Starts oidc-provider on 127.0.0.1 with a public pair and a confidential client registered. */
export async function startOidcProvider(opts: OidcProviderOptions): Promise<RunningOidcProvider> {
  const secret = 'lh-oidc-provider-confidential-secret-0123456789';
  // A private_key_jwt client (RFC 7523): oidc-provider gets the public key, the audit signs with the private one.
  const keys = await generateKeyPair('ES256', { extractable: true });
  const keyedJwk = { ...(await exportJWK(keys.publicKey)), kid: 'lh-keyed', alg: 'ES256', use: 'sig' };
  const common = {
    redirect_uris: [opts.redirectUri, `${opts.redirectUri}-alt`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
  const { issuer, close } = await startOidcProviderServer({
    clients: [
      { client_id: 'lh-public-a', token_endpoint_auth_method: 'none', ...common },
      { client_id: 'lh-public-b', token_endpoint_auth_method: 'none', ...common },
      { client_id: 'lh-conf', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic', ...common },
      {
        client_id: 'lh-keyed',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [keyedJwk] },
        ...common,
      },
    ],
    scopes: ['openid', 'offline_access'],
    accountId: 'audit-user',
    keyId: 'audit',
    ...(opts.pkceRequired === false ? { pkceRequired: false } : {}),
    ...(opts.rotation === false ? { rotation: false } : {}),
    interactions: opts.interactions ?? 'auto',
    framingRefused: opts.framingRefused ?? true,
    features: {
      revocation: { enabled: true },
      introspection: { enabled: true },
      pushedAuthorizationRequests: {
        enabled: opts.par !== 'off',
        requirePushedAuthorizationRequests: opts.par === 'required',
      },
      dPoP: { enabled: opts.dpop !== false },
    },
  });
  const client = (id: string) => ({
    id,
    authMethod: 'none' as const,
    redirectUri: opts.redirectUri,
    alternateRedirectUri: `${opts.redirectUri}-alt`,
  });
  return {
    issuer,
    clientFile: {
      client: client('lh-public-a'),
      secondClient: client('lh-public-b'),
      confidentialClient: { id: 'lh-conf', secret, authMethod: 'client_secret_basic', redirectUri: opts.redirectUri },
      privateKeyJwtClient: {
        id: 'lh-keyed',
        authMethod: 'private_key_jwt',
        privateJwk: { kty: 'EC', ...(await exportJWK(keys.privateKey)), kid: 'lh-keyed', alg: 'ES256' },
        redirectUri: opts.redirectUri,
        alternateRedirectUri: `${opts.redirectUri}-alt`,
      },
      scopes: ['openid', 'offline_access'],
      // oidc-provider issues refresh tokens for offline_access only with prompt=consent (OIDC Core 11).
      authorizationParams: { prompt: 'consent' },
      login: { method: 'auto' },
    },
    close,
  };
}
