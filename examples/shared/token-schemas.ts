/**
 * What the example clients accept from the provider: a token response (RFC 6749 section 5.1), a
 * token error response (section 5.2) and a UserInfo response's subject (OIDC Core 5.3.2).
 */
import * as z from './zod.js';

export const TokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  // RFC 6749 section 7.1: the type is matched case-insensitively; only Bearer is usable here.
  token_type: z.string().check(z.regex(/^bearer$/i, 'token_type must be Bearer')),
  expires_in: z.optional(
    z.union([z.number().check(z.nonnegative()), z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number))]),
  ),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  id_token: z.optional(z.string().check(z.minLength(1))),
  scope: z.optional(z.string()),
});

export const TokenErrorSchema = z.object({ error: z.string(), error_description: z.optional(z.string()) });

export const UserInfoSchema = z.object({ sub: z.string().check(z.minLength(1)) });
