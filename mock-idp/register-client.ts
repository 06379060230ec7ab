import { z } from 'zod';
import type { ProviderContext } from './provider-context.js';
import type { ClientRegistration } from './types.js';

const absoluteUrl = z.string().refine((v) => URL.canParse(v), { message: 'expected an absolute URL' });

const clientSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
    redirectUris: z.array(absoluteUrl).min(1),
    scopes: z.array(z.string().min(1)).optional(),
    postLogoutRedirectUris: z.array(absoluteUrl).optional(),
    backchannelLogoutUri: absoluteUrl.optional(),
  })
  .strict()
  .superRefine((c, issue) => {
    if (c.authMethod === 'none' && c.clientSecret !== undefined) {
      issue.addIssue({ code: 'custom', path: ['clientSecret'], message: 'a public client (none) has no secret' });
    }
    if (c.authMethod !== 'none' && c.clientSecret === undefined) {
      issue.addIssue({ code: 'custom', path: ['clientSecret'], message: `required for ${c.authMethod}` });
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
  const client: ClientRegistration = parsed.data;
  if (!ctx.built.tokenAuthMethods.includes(client.authMethod)) {
    throw new Error(
      `invalid client registration: client.authMethod: ${client.authMethod} is not advertised by profile ${ctx.profileName} (${ctx.built.tokenAuthMethods.join(', ')})`,
    );
  }
  ctx.clients.set(client.clientId, client);
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
