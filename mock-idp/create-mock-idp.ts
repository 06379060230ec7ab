import { buildMetadata } from './discovery/build-metadata.js';
import { DpopVerifier } from './dpop/dpop-proof.js';
import { loadProfile } from './discovery/load-discovery.js';
import { FaultRegistry } from './faults/fault-registry.js';
import { ProviderJournal } from './journal/journal.js';
import { followSecrets } from '../core/redaction.js';
import { KeyStore } from './keys/key-store.js';
import { backchannelLogoutOfTag } from './logout/backchannel.js';
import { PushedRequestStore, type ProviderContext } from './provider-context.js';
import { checkFault, checkOptions } from './options-schema.js';
import { registerClient } from './register-client.js';
import { materialize } from './http/response-text.js';
import { providerRequest } from './http/provider-request.js';
import { createRequestHandler, readExchange, type CoreHandler } from './route-request.js';
import { resolveSettings } from './settings.js';
import { GrantStore } from './store/grant-store.js';
import { ReplayCache } from './store/replay-cache.js';
import { resolveMemoryLimits } from './store/memory-limits.js';
import type { DiscoveryFault, MockIdp, MockIdpOptions, PermissiveMode } from './types.js';
import { seededUsers, type MockUser } from './users/seeded-users.js';
import { ValueDeriver } from './values/derive-value.js';

/**
 * Creates a mock identity provider from a discovery document (`discovery`) or a profile (`profile`:
 * `lexoffice`, `lexoffice-partner`, a file path or URL). It serves exactly what the (rebased, narrowed)
 * metadata advertises, strict by default; `permissive` modes and `discoveryFaults` loosen or change it
 * issuer-wide, `faults.arm` per login tag. Same seed, same keys, codes, tokens and users.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 */
export async function createMockIdp(opts: MockIdpOptions = {}): Promise<MockIdp> {
  checkOptions(opts);
  const seed = opts.seed ?? 1;
  const clock = opts.clock ?? Date.now;
  const permissive = new Set<PermissiveMode>(opts.permissive ?? []);
  const discoveryFaults: DiscoveryFault[] = [...(opts.discoveryFaults ?? [])];
  const loaded = await loadProfile({ profile: opts.profile, discovery: opts.discovery });
  const settings = resolveSettings(
    opts.settings,
    loaded.settings.resourceDpopNonce ? { resourceDpopNonce: loaded.settings.resourceDpopNonce } : {},
  );
  const built = buildMetadata({
    document: loaded.document,
    settings: loaded.settings,
    baseUrl: opts.baseUrl,
    keepOriginalUrls: opts.keepOriginalUrls,
    discoveryFaults,
    permissive,
    ...(opts.features ? { features: opts.features } : {}),
  });
  const memory = resolveMemoryLimits(opts.memory);
  const journal = new ProviderJournal(memory);
  // Read at the first redaction, then followed secret by secret as the journal issues and drops them.
  const redact = followSecrets(() => [journal]);
  const values = new ValueDeriver(seed, permissive.has('low-entropy-tokens'));
  let users: MockUser[] | undefined;
  const ctx: ProviderContext = {
    profileName: loaded.name,
    built,
    settings,
    profileSettings: loaded.settings,
    permissive,
    seed,
    clock,
    clients: new Map(),
    store: new GrantStore(journal, { limits: memory, clock }),
    keys: await KeyStore.create(seed, built.idTokenAlg),
    faults: new FaultRegistry(),
    journal,
    values,
    // Made when first asked for (a login, the login form, userinfo): Faker is loaded then, not here.
    get users() {
      users ??= seededUsers(seed, values);
      return users;
    },
    tagKeys: new Map(),
    dpop: new DpopVerifier({
      clock,
      checkReplay: !permissive.has('dpop-replay-not-detected'),
      mintNonce: () => values.next('dpop_nonce'),
    }),
    pushed: new PushedRequestStore(clock),
    clientKeySets: new Map(),
    assertionJtis: new ReplayCache(),
    requestsInFlight: 0,
    othersActive: false,
  };
  const core = createRequestHandler(ctx);
  const handle = async (request: Request): Promise<Response> => {
    const view = providerRequest(request);
    return materialize(await core(view, () => readExchange(request, view)));
  };

  const idp: MockIdp = {
    issuer: built.urlIssuer,
    profile: loaded.name,
    metadata: built.metadata,
    endpoints: built.endpoints,
    apiBaseUrl: built.apiBaseUrl,
    journal,
    settings,
    handle,
    registerClient: (client) => registerClient(ctx, client),
    prepare: () => void ctx.users,
    faults: {
      arm: (tag, fault) => ctx.faults.arm(tag, checkFault(fault)),
      clear: (tag) => ctx.faults.clear(tag),
      expireAccessTokens: (tag) => {
        if (typeof tag !== 'string' || tag === '')
          throw new Error('expireAccessTokens: tag must be a non-empty string');
        ctx.store.expireAccessTokens(tag, ctx.clock());
      },
    },
    keys: {
      rotate: async () => {
        await ctx.keys.rotate();
      },
      currentPublicJwk: async () => ({ ...ctx.keys.current.publicJwk }),
    },
    logout: {
      backchannel: (tag) => backchannelLogoutOfTag(ctx, tag),
    },
    redact,
    pushedRequest: (requestUri) => {
      const pushed = ctx.pushed.get(requestUri);
      return pushed ? { ...pushed.params } : undefined;
    },
  };
  coreHandlers.set(idp, core);
  return idp;
}

const coreHandlers = new WeakMap<MockIdp, CoreHandler>();

/**
 * The core handler behind `idp.handle`, for the node transport: it hands over requests it has already
 * read without building a web Request, and writes the body text without draining a web stream.
 */
export function coreHandlerOf(idp: MockIdp): CoreHandler | undefined {
  return coreHandlers.get(idp);
}
