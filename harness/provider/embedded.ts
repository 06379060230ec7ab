/**
 * Setting up an audit: of the embedded mock provider (the default, registering its own clients), or
 * of any provider from its metadata and a client file.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { PERMISSIVE_MODE_DOCS } from '../../mock-idp/faults/fault-docs.js';
import { startMockIdp } from '../../mock-idp/index.js';
import type {
  BundledProfile,
  ClientAuthMethod,
  ClientRegistration,
  Clock,
  PermissiveMode,
  RunningMockIdp,
} from '../../mock-idp/types.js';
import { arrangeClients, detectFeatures, type ProviderAuditSetup } from './audit.js';
import type { RegisteredClient } from './client.js';
import { toRegisteredClient, type ClientFile } from './config.js';
import { SecretBook } from './evidence.js';
import { CallbackListener } from './listener.js';
import { loadMetadata, ProviderConfigError, type ProviderInfo } from './metadata.js';
import { AutoPerson, ManualPerson, PlaywrightPerson, type PersonStep } from './person.js';
import type { ProviderOptIn, SlowSettings } from './types.js';

/** Every permissive mode of the mock (PERMISSIVE_MODE_DOCS is a Record over the PermissiveMode union). */
export const PERMISSIVE_MODES = Object.keys(PERMISSIVE_MODE_DOCS) as readonly PermissiveMode[];

/** RFC 6749 4.1.2 recommends codes live at most 10 minutes; the opt-in check waits a little longer. */
export const DEFAULT_CODE_WAIT_MS = 10 * 60_000 + 5_000;

/** A prepared audit and how to tear it down. */
export interface PreparedAudit {
  setup: ProviderAuditSetup;
  /** Name for the report (`target.name`). */
  name: string;
  /** Profile for the report (`target.profile`). */
  profile: string;
  /** The embedded mock, when the audit runs against it. */
  mock?: RunningMockIdp;
  close(): Promise<void>;
}

/** Options of {@link prepareEmbeddedAudit}. */
export interface EmbeddedAuditOptions {
  profile?: BundledProfile;
  /** A discovery document to serve instead of the profile's (the profile still names the vocabulary). */
  discovery?: unknown;
  permissive?: PermissiveMode[];
  seed?: number;
  optIns?: ProviderOptIn[];
  /** Provider clock (tests freeze it and let `wait` advance it). */
  clock?: Clock;
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  slow?: Partial<SlowSettings>;
}

/**
 * Starts the embedded mock on loopback, registers a public client pair (when the profile allows public
 * clients), a confidential client, and a callback listener for their redirect URI.
 */
export async function prepareEmbeddedAudit(opts: EmbeddedAuditOptions = {}): Promise<PreparedAudit> {
  const profile = opts.profile ?? 'lexoffice';
  const seed = opts.seed ?? 1;
  const listener = new CallbackListener();
  await listener.listen();
  let mock: RunningMockIdp | undefined;
  try {
    mock = await startMockIdp({
      profile,
      seed,
      permissive: opts.permissive ?? [],
      clock: opts.clock,
      ...(opts.discovery !== undefined ? { discovery: opts.discovery } : {}),
    });
    const { idp } = mock;
    const redirectUri = `${listener.origin}/callback`;
    const alternateRedirectUri = `${listener.origin}/callback-alt`;
    const methods = (idp.metadata.token_endpoint_auth_methods_supported as string[] | undefined) ?? [
      'client_secret_basic',
    ];
    const secretMethod = (['client_secret_basic', 'client_secret_post'] as const).find((m) => methods.includes(m));
    const register = (label: string, clientId: string, authMethod: ClientAuthMethod): RegisteredClient => {
      const reg: ClientRegistration = { clientId, authMethod, redirectUris: [redirectUri, alternateRedirectUri] };
      if (authMethod !== 'none') reg.clientSecret = `${clientId}-secret-${seed}-0123456789abcdef`;
      idp.registerClient(reg);
      return { label, id: clientId, secret: reg.clientSecret, authMethod, redirectUri, alternateRedirectUri };
    };
    const publicOk = methods.includes('none');
    const primaryMethod: ClientAuthMethod = publicOk ? 'none' : (secretMethod ?? 'client_secret_basic');
    const primary = register('primary', 'lh-audit-a', primaryMethod);
    const second = register('second', 'lh-audit-b', primaryMethod);
    const confidential = publicOk && secretMethod ? register('confidential', 'lh-audit-conf', secretMethod) : undefined;
    const privateKeyJwt = methods.includes('private_key_jwt')
      ? await registerKeyedClient(idp, 'lh-audit-keyed', [redirectUri, alternateRedirectUri])
      : undefined;
    const clients = arrangeClients({
      primary,
      second,
      extra: confidential ? [confidential] : [],
      ...(privateKeyJwt ? { privateKeyJwt } : {}),
    });
    const metadata = idp.metadata;
    const { metadata: parsed } = await loadMetadata(idp.endpoints.discovery);
    const apiUrl = `${idp.apiBaseUrl.replace(/\/$/, '')}/v1/profile`;
    const provider: ProviderInfo = {
      source: idp.endpoints.discovery,
      discoveryUrl: idp.endpoints.discovery,
      metadata: parsed,
      issuer: parsed.issuer,
      apiUrl,
      apiLabel: 'the mock lexoffice API (/v1/profile)',
    };
    const scopes = (metadata.scopes_supported as string[] | undefined) ?? [];
    // Request what a lexoffice integration asks for: openid when offered, and a read scope for the API.
    const scope =
      profile === 'lexoffice' || profile === 'fapi2'
        ? ['openid', 'profile'].filter((s) => scopes.includes(s)).join(' ')
        : (scopes.find((s) => s.startsWith('profile')) ?? '');
    const secrets = new SecretBook();
    for (const c of [primary, second, confidential]) secrets.add(c?.secret, 'client_secret');
    const setup: ProviderAuditSetup = {
      provider,
      clients,
      person: new AutoPerson([new URL(idp.endpoints.authorization).origin]),
      scope,
      features: detectFeatures(provider, clients, scope),
      optIns: new Set(opts.optIns ?? []),
      slow: {
        codeLifetimeMs: opts.slow?.codeLifetimeMs ?? DEFAULT_CODE_WAIT_MS,
        refreshIdleMs: opts.slow?.refreshIdleMs,
      },
      seed,
      secrets,
      redact: (text) => idp.redact(secrets.redact(text)),
      wait: opts.wait,
      // The fapi2 profile refuses token requests without a DPoP proof, so the ordinary flows send one.
      ...(profile === 'fapi2' ? { dpop: true } : {}),
    };
    const running = mock;
    return {
      setup,
      name: `embedded mock provider (${profile}${opts.permissive?.length ? `, permissive: ${opts.permissive.join(', ')}` : ''})`,
      profile,
      mock: running,
      async close() {
        await running.close();
        await listener.close();
      },
    };
  } catch (err) {
    await mock?.close();
    await listener.close();
    throw err;
  }
}

/**
 * Registers a `private_key_jwt` client at the embedded mock with a fresh ES256 key pair (the mock gets the
 * public key; the audit's client signs with the private one).
 */
async function registerKeyedClient(
  idp: RunningMockIdp['idp'],
  clientId: string,
  redirectUris: [string, string],
): Promise<RegisteredClient> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${clientId}-key`;
  idp.registerClient({
    clientId,
    authMethod: 'private_key_jwt',
    redirectUris,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] },
  });
  return {
    label: 'private_key_jwt',
    id: clientId,
    authMethod: 'private_key_jwt',
    redirectUri: redirectUris[0],
    alternateRedirectUri: redirectUris[1],
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
  };
}

/** Options of {@link prepareProviderAudit}. */
export interface ProviderAuditOptions {
  /** Discovery URL (or issuer) or path of a metadata file. */
  discovery: string;
  clientFile: ClientFile;
  seed?: number;
  optIns?: ProviderOptIn[];
  /** Where manual-mode instructions go. */
  print?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Test seam: a person step instead of the one the client file names. */
  person?: PersonStep;
}

/** Prepares an audit of any provider from its metadata and a client file. */
export async function prepareProviderAudit(opts: ProviderAuditOptions): Promise<PreparedAudit> {
  const { metadata, discoveryUrl } = await loadMetadata(opts.discovery);
  const file = opts.clientFile;
  const env = opts.env ?? process.env;
  const primary = toRegisteredClient(file.client, 'primary', '$.client', env);
  const second = file.secondClient ? toRegisteredClient(file.secondClient, 'second', '$.secondClient', env) : undefined;
  const confidential = file.confidentialClient
    ? toRegisteredClient(file.confidentialClient, 'confidential', '$.confidentialClient', env)
    : undefined;
  const privateKeyJwt = file.privateKeyJwtClient
    ? toRegisteredClient(file.privateKeyJwtClient, 'private_key_jwt', '$.privateKeyJwtClient', env)
    : undefined;
  if (privateKeyJwt && privateKeyJwt.authMethod !== 'private_key_jwt') {
    throw new ProviderConfigError('$.privateKeyJwtClient.authMethod: expected "private_key_jwt"');
  }
  const clients = arrangeClients({
    primary,
    second,
    extra: confidential ? [confidential] : [],
    ...(privateKeyJwt ? { privateKeyJwt } : {}),
  });
  const provider: ProviderInfo = {
    source: opts.discovery,
    discoveryUrl,
    metadata,
    issuer: metadata.issuer,
    apiUrl: file.api?.url ?? metadata.userinfo_endpoint,
    apiLabel: file.api?.url
      ? `the API (${file.api.url})`
      : metadata.userinfo_endpoint
        ? 'the userinfo endpoint (a protected resource, OIDC Core 5.3)'
        : undefined,
  };
  const scope = (file.scopes ?? (metadata.scopes_supported?.includes('openid') ? ['openid'] : [])).join(' ');
  const login = file.login ?? { method: 'auto' as const };
  const providerOrigins = [new URL(metadata.authorization_endpoint).origin];
  let listener: CallbackListener | undefined;
  let person: PersonStep;
  if (opts.person) person = opts.person;
  else if (login.method === 'auto') person = new AutoPerson(providerOrigins);
  else if (login.method === 'playwright') {
    person = new PlaywrightPerson({
      providerOrigins: [...providerOrigins, ...(login.origins ?? []).map((o) => new URL(o).origin)],
      script: login.script,
      timeoutMs: login.timeoutMs ?? 30_000,
      env,
    });
  } else {
    const redirect = new URL(primary.redirectUri);
    if (redirect.hostname !== '127.0.0.1' && redirect.hostname !== 'localhost') {
      throw new ProviderConfigError(
        '$.client.redirectUri: manual login needs a loopback redirect URI (http://127.0.0.1:PORT/...) for the harness listener',
      );
    }
    listener = new CallbackListener();
    await listener.listen(Number(redirect.port || 80));
    person = new ManualPerson(
      listener,
      login.timeoutMs ?? 300_000,
      opts.print ?? ((l) => process.stderr.write(`${l}\n`)),
    );
  }
  const secrets = new SecretBook();
  for (const c of [primary, second, confidential]) secrets.add(c?.secret, 'client_secret');
  const setup: ProviderAuditSetup = {
    provider,
    clients,
    person,
    scope,
    authorizationParams: file.authorizationParams,
    features: detectFeatures(provider, clients, scope),
    optIns: new Set(opts.optIns ?? []),
    slow: {
      codeLifetimeMs: file.slow?.codeLifetimeMs ?? DEFAULT_CODE_WAIT_MS,
      refreshIdleMs: file.slow?.refreshIdleMs,
    },
    seed: opts.seed ?? 1,
    secrets,
  };
  return {
    setup,
    name: metadata.issuer,
    profile: opts.discovery,
    async close() {
      await person.close();
      await listener?.close();
    },
  };
}
