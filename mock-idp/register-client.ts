import { z } from 'zod';
import type { ProviderContext } from './provider-context.js';
import type { ClientRegistration } from './types.js';

const absoluteUrl = z.string().refine((v) => URL.canParse(v), { message: 'expected an absolute URL' });

/** Key types that sign asymmetrically (RFC 7518 6): a client assertion is never keyed with a shared secret. */
const ASYMMETRIC_KTY = ['RSA', 'EC', 'OKP'];

/** A public JWK: asymmetric, and without the private members a client must never hand over. */
const publicJwk = z
  .looseObject({ kty: z.string() })
  .refine((k) => ASYMMETRIC_KTY.includes(k.kty), { message: 'expected an asymmetric key (kty RSA, EC or OKP)' })
  .refine((k) => !['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in k), {
    message: 'a registered key must be public (no private members such as d)',
  });

const clientSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']),
    redirectUris: z.array(absoluteUrl).min(1),
    scopes: z.array(z.string().min(1)).optional(),
    postLogoutRedirectUris: z.array(absoluteUrl).optional(),
    dpopBoundAccessTokens: z.boolean().optional(),
    requirePushedAuthorizationRequests: z.boolean().optional(),
    jwks: z.object({ keys: z.array(publicJwk).min(1) }).optional(),
    jwksUri: absoluteUrl.optional(),
    backchannelLogoutUri: absoluteUrl.optional(),
    applicationType: z.enum(['web', 'native']).optional(),
  })
  .strict()
  .superRefine((c, issue) => {
    const keyed = c.authMethod === 'private_key_jwt';
    if ((c.authMethod === 'none' || keyed) && c.clientSecret !== undefined) {
      issue.addIssue({ code: 'custom', path: ['clientSecret'], message: `a ${c.authMethod} client has no secret` });
    }
    if (!keyed && c.authMethod !== 'none' && c.clientSecret === undefined) {
      issue.addIssue({ code: 'custom', path: ['clientSecret'], message: `required for ${c.authMethod}` });
    }
    if (keyed && (c.jwks === undefined) === (c.jwksUri === undefined)) {
      issue.addIssue({
        code: 'custom',
        path: ['jwks'],
        message: 'private_key_jwt needs exactly one of jwks or jwksUri',
      });
    }
    if (!keyed && (c.jwks !== undefined || c.jwksUri !== undefined)) {
      issue.addIssue({ code: 'custom', path: ['jwks'], message: 'keys are registered for private_key_jwt only' });
    }
  });

/**
 * Registers (or replaces) a client. Validated with zod; the authentication method must be one the
 * metadata advertises, since nothing unadvertised is served. The secret is journaled as an issued
 * `client_secret`, so leak scans and redaction know it.
 */
export function registerClient(ctx: ProviderContext, input: ClientRegistration): ClientRegistration {
  const parsed = clientSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `invalid client registration: ${parsed.error.issues.map((i) => `client.${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const client: ClientRegistration = parsed.data as ClientRegistration;
  if (!ctx.built.tokenAuthMethods.includes(client.authMethod)) {
    throw new Error(
      `invalid client registration: client.authMethod: ${client.authMethod} is not advertised by profile ${ctx.profileName} (${ctx.built.tokenAuthMethods.join(', ')})`,
    );
  }
  ctx.clients.set(client.clientId, client);
  // A re-registration may bring other keys: the verifier built for the old ones must not be reused.
  ctx.clientKeySets.delete(client.clientId);
  if (client.clientSecret) {
    ctx.journal.recordIssued({
      kind: 'client_secret',
      value: client.clientSecret,
      clientId: client.clientId,
      at: ctx.clock(),
    });
  }
  return { ...client };
}
