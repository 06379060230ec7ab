/**
 * Configuration of the server-side examples, from the environment the target manifest sets
 * (`start.env`). Validated with zod so a wrong manifest fails at start-up naming the variable.
 */
import * as z from './zod.js';

const EnvSchema = z.object({
  OAUTH_ISSUER: z.url(),
  OAUTH_CLIENT_ID: z.string().check(z.minLength(1)),
  OAUTH_CLIENT_SECRET: z.optional(z.string().check(z.minLength(1))),
  OAUTH_REDIRECT_URI: z.url(),
  /** Space-separated, exactly the scopes the manifest declares (RFC 9700 section 2.3). */
  OAUTH_SCOPES: z.string().check(z.minLength(1)),
  LEXOFFICE_API_BASE_URL: z.url(),
  PORT: z.coerce.number().check(z.int(), z.gte(1), z.lte(65535)),
  HOST: z._default(z.string(), '127.0.0.1'),
  /** Where the provider sends the person after RP-initiated logout (registered; TARGETS.md §1.1). */
  OAUTH_POST_LOGOUT_REDIRECT_URI: z.optional(z.url()),
  /** This client's back-channel logout URI (registered; TARGETS.md §1.1); its path is served. */
  OAUTH_BACKCHANNEL_LOGOUT_URI: z.optional(z.url()),
});

/** The validated environment of an example server. */
export interface ExampleEnv {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  scopes: string[];
  apiBaseUrl: string;
  port: number;
  host: string;
  postLogoutRedirectUri?: string;
  backchannelLogoutUri?: string;
}

/** Reads and validates the environment; throws an Error naming every bad variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env, opts: { secretRequired?: boolean } = {}): ExampleEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  if (opts.secretRequired && !e.OAUTH_CLIENT_SECRET)
    throw new Error('invalid environment: OAUTH_CLIENT_SECRET: required');
  return {
    issuer: e.OAUTH_ISSUER,
    clientId: e.OAUTH_CLIENT_ID,
    clientSecret: e.OAUTH_CLIENT_SECRET,
    redirectUri: e.OAUTH_REDIRECT_URI,
    scopes: e.OAUTH_SCOPES.split(/\s+/).filter(Boolean),
    apiBaseUrl: e.LEXOFFICE_API_BASE_URL,
    port: e.PORT,
    host: e.HOST,
    ...(e.OAUTH_POST_LOGOUT_REDIRECT_URI ? { postLogoutRedirectUri: e.OAUTH_POST_LOGOUT_REDIRECT_URI } : {}),
    ...(e.OAUTH_BACKCHANNEL_LOGOUT_URI ? { backchannelLogoutUri: e.OAUTH_BACKCHANNEL_LOGOUT_URI } : {}),
  };
}
