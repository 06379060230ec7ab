/**
 * The target manifest as data (../../../shared/TARGETS.md section 1), validated with zod. The schema
 * checks shapes only; rules that join fields (what a kind needs, secret versus auth method,
 * placeholders) live in `validate.ts` so their messages can name the field and say what was expected.
 */
import { z } from 'zod';
import { POLICY_NAMES } from '../../reports/model.js';

const nonEmpty = z.string().min(1);
const stringMap = z.record(z.string(), z.string());

/** Client authentication methods at the token endpoint (RFC 6749 section 2.3.1, OIDC Core section 9). */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'] as const;

/** Target kinds (TARGETS.md section 3). */
export const TARGET_KINDS = ['web', 'spa', 'driver'] as const;

/** Default start-up timeout (readiness) in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export const clientSchema = z.strictObject({
  /** Default: generated from the target's name. */
  id: nonEmpty.optional(),
  /** Omit for a public client. */
  secret: nonEmpty.optional(),
  /** Default: `client_secret_basic` with a secret, `none` without. */
  authMethod: z.enum(AUTH_METHODS).optional(),
  /** `private_key_jwt` (TARGETS.md §1.1): the client's public keys as a JWK Set ... */
  jwks: z.strictObject({ keys: z.array(z.looseObject({ kty: nonEmpty })).min(1) }).optional(),
  /** ... or the URL it serves them at (placeholders allowed, e.g. `{{target.port}}`). */
  jwksUri: nonEmpty.optional(),
  /** Registered at the mock provider exactly as written (after placeholders): exact match. */
  redirectUri: nonEmpty,
  /** What the client is expected to need (scope.minimal compares the requests against it). */
  scopes: z.array(nonEmpty),
  /** The client sends DPoP proofs (RFC 9449); the mock offers DPoP and issues DPoP-bound tokens. */
  dpop: z.boolean().optional(),
  /** The client pushes its authorization requests (RFC 9126); the mock offers PAR and requires it of this client. */
  par: z.boolean().optional(),
  /**
   * TARGETS.md §1.1: where the client asks the provider to send the person after RP-initiated logout
   * (registered exactly; OIDC RP-Initiated Logout 1.0 §2). Enables `logout.rp-initiated`.
   */
  postLogoutRedirectUris: z.array(nonEmpty).min(1).optional(),
  /**
   * TARGETS.md §1.1: the client's back-channel logout URI (OIDC Back-Channel Logout 1.0 §2.2), where
   * the provider posts logout tokens. Enables `logout.backchannel` and `logout.backchannel-validation`.
   */
  backchannelLogoutUri: nonEmpty.optional(),
});

export const startSchema = z.strictObject({
  /** argv, no shell. */
  command: z.array(z.string()).min(1),
  /** Relative to the manifest's folder. Default: the manifest's folder. */
  cwd: nonEmpty.optional(),
  env: stringMap.optional(),
  /** How the harness knows a web/spa server is up; a driver is ready when spawned. */
  ready: z.strictObject({ url: nonEmpty.optional(), stdout: nonEmpty.optional() }).optional(),
  timeoutMs: z.number().int().positive().optional(),
});

export const signedInSchema = z.strictObject({
  /** web: a request in the same user-agent session. */
  url: nonEmpty.optional(),
  /** web: expected status (default 200). */
  status: z.number().int().min(100).max(599).optional(),
  /** web: text the body contains when signed in. */
  text: nonEmpty.optional(),
  /** spa: an element visible only when signed in. */
  selector: nonEmpty.optional(),
});

/**
 * Optional, additive to TARGETS.md: a TypeScript/JavaScript integration imported into the harness's own
 * process instead of started as a server. The module's export is called as `start({ port, env })` and
 * resolves to `{ close() }` once it listens; calls it makes to the provider's real hosts are routed
 * into the mock.
 */
export const inProcessSchema = z.strictObject({
  /** Path to the module, relative to the manifest's folder (`.ts` is loaded through tsx). */
  module: nonEmpty,
  /** Name of the exported start function. Default `start`. */
  export: nonEmpty.optional(),
  /** Environment handed to `start` (placeholders allowed). */
  env: stringMap.optional(),
});

export const urlSchema = z.strictObject({ url: nonEmpty });

export const manifestSchema = z.strictObject({
  /** Editors use it for completion; ignored by the harness. */
  $schema: z.string().optional(),
  name: nonEmpty,
  kind: z.enum(TARGET_KINDS),
  /** `lexoffice` (default), `lexoffice-partner`, or a path to a discovery document. */
  profile: nonEmpty.optional(),
  client: clientSchema,
  start: startSchema.optional(),
  login: urlSchema.optional(),
  signedIn: signedInSchema.optional(),
  logout: urlSchema.optional(),
  inProcess: inProcessSchema.optional(),
  /**
   * TARGETS.md §1.1: how many providers the client is configured for. With 2 the harness runs a second
   * mock issuer in the same run (`{{idp2.*}}` placeholders) and the mix-up checks apply; absent means 1.
   */
  providers: z.number().int().min(1).max(2).optional(),
  /**
   * How findings become verdicts (docs/verdicts.md): `rfc9700` (default), `strict` or `fapi2`.
   * `audit --policy` overrides it.
   */
  policy: z.enum(POLICY_NAMES).optional(),
  /**
   * TARGETS.md §1.1, kind `driver`: a native or CLI app that chooses its own loopback redirect. The
   * provider lets it use any port on its registered loopback IP redirect URI (RFC 8252 7.3); enables
   * `native.loopback-redirect`.
   */
  native: z.boolean().optional(),
});

/** A manifest as an integrator writes it (JSON, or `defineTarget({...})` in a module). */
export type ManifestInput = z.input<typeof manifestSchema>;
