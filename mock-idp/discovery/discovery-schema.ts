import { LoginHarnessError } from '../../core/errors.js';
import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An endpoint URL as RFC 8414 2 and OIDC Discovery 3 require: https. Plain http is accepted only for
 * loopback hosts, where a local provider legitimately lives.
 */
const endpointUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
    } catch {
      return false;
    }
  },
  { message: 'expected an https URL' },
);

const stringList = z.array(z.string());

/**
 * OpenID Provider Metadata (OIDC Discovery 3) / OAuth 2.0 Authorization Server Metadata (RFC 8414 2).
 * Unknown members are kept (`looseObject`): RFC 8414 2 says additional metadata may be present.
 */
export const discoverySchema = z.looseObject({
  issuer: endpointUrl.refine((value) => !value.includes('?') && !value.includes('#'), {
    message: 'expected an issuer without query or fragment (RFC 8414 2)',
  }),
  authorization_endpoint: endpointUrl,
  token_endpoint: endpointUrl,
  jwks_uri: endpointUrl.optional(),
  userinfo_endpoint: endpointUrl.optional(),
  revocation_endpoint: endpointUrl.optional(),
  introspection_endpoint: endpointUrl.optional(),
  end_session_endpoint: endpointUrl.optional(),
  registration_endpoint: endpointUrl.optional(),
  pushed_authorization_request_endpoint: endpointUrl.optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  dpop_signing_alg_values_supported: stringList.optional(),
  scopes_supported: stringList.optional(),
  response_types_supported: stringList.optional(),
  response_modes_supported: stringList.optional(),
  grant_types_supported: stringList.optional(),
  token_endpoint_auth_methods_supported: stringList.optional(),
  token_endpoint_auth_signing_alg_values_supported: stringList.optional(),
  revocation_endpoint_auth_methods_supported: stringList.optional(),
  introspection_endpoint_auth_methods_supported: stringList.optional(),
  code_challenge_methods_supported: stringList.optional(),
  id_token_signing_alg_values_supported: stringList.optional(),
  subject_types_supported: stringList.optional(),
  claims_supported: stringList.optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});

/** A parsed discovery document: the known members typed, every other member kept as it was. */
export type DiscoveryDocument = z.infer<typeof discoverySchema>;

/** A discovery document that does not parse; `issues` name the JSON path of each problem. */
export class DiscoveryError extends LoginHarnessError<'discovery'> {
  readonly issues: string[];
  constructor(issues: string[]) {
    super('discovery', `invalid discovery document: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    'discovery',
  );
}

/**
 * Parses a discovery document. Errors name the JSON path, e.g.
 * `discovery.token_endpoint: expected an https URL`.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function parseDiscovery(input: unknown): DiscoveryDocument {
  const result = discoverySchema.safeParse(input);
  if (result.success) return result.data;
  throw new DiscoveryError(
    result.error.issues.map((issue) => {
      const message = issue.code === 'invalid_type' && issue.message.includes('undefined') ? 'required' : issue.message;
      return `${pathOf(issue.path)}: ${message}`;
    }),
  );
}
