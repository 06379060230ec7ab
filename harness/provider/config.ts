/**
 * The client file of a provider audit: the client(s) registered at the provider under audit, how the
 * person signs in, and the settings of the opt-in checks. Validated with zod; errors name the JSON path.
 *
 * ```jsonc
 * {
 *   "client": { "id": "app", "authMethod": "none", "redirectUri": "http://127.0.0.1:8765/callback" },
 *   "secondClient": { "id": "app-b", "authMethod": "none", "redirectUri": "http://127.0.0.1:8765/callback" },
 *   "confidentialClient": { "id": "srv", "secretEnv": "LH_SECRET", "authMethod": "client_secret_basic", "redirectUri": "..." },
 *   "scopes": ["openid", "offline_access"],
 *   "authorizationParams": { "prompt": "consent" },
 *   "api": { "url": "https://api.example.com/v1/profile" },
 *   "login": { "method": "playwright", "script": [{ "fill": "#user", "env": "LH_USER" }, { "click": "button[type=submit]" }] },
 *   "slow": { "codeLifetimeMs": 605000, "refreshIdleMs": 86400000 },
 *   "policy": "rfc9700"
 * }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';
import { POLICY_NAMES } from '../../reports/model.js';
import type { RegisteredClient } from './client.js';
import { formatIssues, ProviderConfigError } from './metadata.js';

const ClientSchema = z
  .strictObject({
    id: z.string().min(1),
    /** The secret itself (avoid in files under version control) ... */
    secret: z.string().min(1).optional(),
    /** ... or the name of the environment variable that holds it. */
    secretEnv: z.string().min(1).optional(),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']).optional(),
    /** `private_key_jwt`: the private key (a JWK with `alg`) ... */
    privateJwk: z.looseObject({ kty: z.string(), alg: z.string() }).optional(),
    /** ... or the environment variable holding it as JSON. */
    privateJwkEnv: z.string().min(1).optional(),
    redirectUri: z.string().url(),
    /** Another redirect URI registered for this client, for provider.code.bound-redirect-uri. */
    alternateRedirectUri: z.string().url().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.secret && c.secretEnv)
      ctx.addIssue({ code: 'custom', path: ['secretEnv'], message: 'give secret or secretEnv, not both' });
    if (c.authMethod === 'none' && (c.secret || c.secretEnv))
      ctx.addIssue({ code: 'custom', path: ['authMethod'], message: 'a public client (none) has no secret' });
    const keyed = c.authMethod === 'private_key_jwt';
    if (keyed && !c.privateJwk && !c.privateJwkEnv)
      ctx.addIssue({
        code: 'custom',
        path: ['privateJwk'],
        message: 'required for private_key_jwt (or privateJwkEnv)',
      });
    if (keyed && (c.secret || c.secretEnv))
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a private_key_jwt client has no secret' });
    if (c.authMethod && c.authMethod !== 'none' && !keyed && !c.secret && !c.secretEnv) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: `required for ${c.authMethod} (or secretEnv)` });
    }
  });

const StepSchema = z
  .strictObject({
    fill: z.string().min(1).optional(),
    env: z.string().min(1).optional(),
    click: z.string().min(1).optional(),
    optional: z.boolean().optional(),
  })
  .refine((s) => Boolean(s.fill) !== Boolean(s.click), { message: 'a step has exactly one of fill or click' })
  .refine((s) => !s.fill || Boolean(s.env), {
    message: 'a fill step names the environment variable (env) holding the value',
    path: ['env'],
  });

const LoginSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('auto') }),
  z.strictObject({
    method: z.literal('playwright'),
    script: z.array(StepSchema).min(1),
    /** Origins the login happens on besides the authorization endpoint's (e.g. a separate login app). */
    origins: z.array(z.string().url()).optional(),
    timeoutMs: z.number().int().positive().optional(),
  }),
  z.strictObject({ method: z.literal('manual'), timeoutMs: z.number().int().positive().optional() }),
]);

/** The client file, as validated. */
export const ClientFileSchema = z.strictObject({
  client: ClientSchema,
  secondClient: ClientSchema.optional(),
  confidentialClient: ClientSchema.optional(),
  /** A client registered with `private_key_jwt` (RFC 7523), for provider.client-auth.private-key-jwt. */
  privateKeyJwtClient: ClientSchema.optional(),
  scopes: z.array(z.string().min(1)).min(1).optional(),
  authorizationParams: z.record(z.string(), z.string()).optional(),
  api: z.strictObject({ url: z.string().url() }).optional(),
  login: LoginSchema.optional(),
  slow: z
    .strictObject({
      codeLifetimeMs: z.number().int().positive().optional(),
      refreshIdleMs: z.number().int().positive().optional(),
    })
    .optional(),
  /**
   * How findings become verdicts (docs/verdicts.md): `rfc9700` (default), `strict` or `fapi2`.
   * `--policy` overrides it.
   */
  policy: z.enum(POLICY_NAMES, { error: () => `unknown policy (valid: ${POLICY_NAMES.join(', ')})` }).optional(),
});

export type ClientFile = z.infer<typeof ClientFileSchema>;
export type LoginConfig = NonNullable<ClientFile['login']>;

/** Parses a client file's content; throws {@link ProviderConfigError} naming the JSON path. */
export function parseClientFile(value: unknown, source = 'client file'): ClientFile {
  const parsed = ClientFileSchema.safeParse(value);
  if (!parsed.success) throw new ProviderConfigError(`invalid ${source}:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a client file. */
export async function loadClientFile(path: string): Promise<{ file: ClientFile; dir: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ProviderConfigError(`cannot read client file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProviderConfigError(`client file ${path} is not JSON: ${(err as Error).message}`);
  }
  return { file: parseClientFile(raw, `client file ${path}`), dir: dirname(path) };
}

/** Turns a client entry into a registered client, reading its secret from the environment when asked. */
export function toRegisteredClient(
  c: z.infer<typeof ClientSchema>,
  label: string,
  jsonPath: string,
  env: NodeJS.ProcessEnv = process.env,
): RegisteredClient {
  let secret = c.secret;
  if (c.secretEnv) {
    secret = env[c.secretEnv];
    if (!secret) throw new ProviderConfigError(`${jsonPath}.secretEnv: environment variable ${c.secretEnv} is not set`);
  }
  let privateJwk = c.privateJwk as JWK | undefined;
  if (c.privateJwkEnv) {
    const text = env[c.privateJwkEnv];
    if (!text)
      throw new ProviderConfigError(`${jsonPath}.privateJwkEnv: environment variable ${c.privateJwkEnv} is not set`);
    try {
      privateJwk = JSON.parse(text) as JWK;
    } catch {
      throw new ProviderConfigError(`${jsonPath}.privateJwkEnv: ${c.privateJwkEnv} does not hold a JWK as JSON`);
    }
  }
  const authMethod = c.authMethod ?? (secret ? 'client_secret_basic' : 'none');
  return {
    label,
    id: c.id,
    secret,
    authMethod,
    redirectUri: c.redirectUri,
    alternateRedirectUri: c.alternateRedirectUri,
    ...(privateJwk ? { privateJwk } : {}),
  };
}
