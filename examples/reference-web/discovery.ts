/**
 * Reads the provider's metadata once at start-up (OpenID Connect Discovery 1.0 section 4, RFC 8414
 * section 3), so endpoints, PKCE methods and signing algorithms come from the provider and not from
 * constants copied into the client.
 */
import * as z from '../shared/zod.js';

const Metadata = z.object({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.optional(z.url()),
  revocation_endpoint: z.optional(z.url()),
  end_session_endpoint: z.optional(z.url()),
  code_challenge_methods_supported: z.optional(z.array(z.string())),
  id_token_signing_alg_values_supported: z.optional(z.array(z.string())),
  authorization_response_iss_parameter_supported: z.optional(z.boolean()),
});

/** The provider metadata this client uses. */
export type ProviderMetadata = z.infer<typeof Metadata>;

/** Fetches and validates `<issuer>/.well-known/openid-configuration`. */
export async function discover(issuer: string): Promise<ProviderMetadata> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error' });
  if (res.status !== 200) throw new Error(`discovery: ${url} answered ${res.status}`);
  const parsed = Metadata.safeParse(await res.json());
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`discovery: invalid metadata: ${where}`);
  }
  // OIDC Discovery 4.3: the issuer in the document must be exactly the one the client was configured with,
  // or a provider could impersonate another.
  if (parsed.data.issuer !== issuer) throw new Error(`discovery: issuer ${parsed.data.issuer} is not ${issuer}`);
  return parsed.data;
}

/**
 * Signature algorithms accepted for ID tokens: the advertised ones that are asymmetric. `none` and the
 * HMAC family are never accepted, whatever the metadata says (RFC 8725 section 3.1): an HS256 token
 * "signed" with the provider's public key would otherwise verify.
 */
export function idTokenAlgorithms(meta: ProviderMetadata): string[] {
  const asymmetric = new Set([
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
  ]);
  // OIDC Discovery 3: RS256 is the default when nothing is advertised.
  const advertised = meta.id_token_signing_alg_values_supported ?? ['RS256'];
  const usable = advertised.filter((a) => asymmetric.has(a));
  return usable.length > 0 ? usable : ['RS256'];
}
