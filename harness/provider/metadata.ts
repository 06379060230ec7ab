/**
 * Reading the provider's metadata: an OpenID Provider configuration (OIDC Discovery 3) or OAuth 2.0
 * Authorization Server Metadata (RFC 8414 2), from a URL or a file. Unknown fields are kept; errors
 * name the JSON path.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LoginHarnessError } from '../../core/errors.js';
import { httpFetch, type HttpResponse } from '../agents/http-fetch.js';

const url = z.string().url();

/** The metadata fields the audit reads (RFC 8414 2, OIDC Discovery 3, RFC 9207 3); the rest is kept. */
export const ProviderMetadataSchema = z.looseObject({
  issuer: url,
  authorization_endpoint: url,
  token_endpoint: url,
  jwks_uri: url.optional(),
  userinfo_endpoint: url.optional(),
  revocation_endpoint: url.optional(),
  introspection_endpoint: url.optional(),
  end_session_endpoint: url.optional(),
  scopes_supported: z.array(z.string()).optional(),
  response_types_supported: z.array(z.string()).optional(),
  grant_types_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
  pushed_authorization_request_endpoint: url.optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  dpop_signing_alg_values_supported: z.array(z.string()).optional(),
});

export type ProviderMetadata = z.infer<typeof ProviderMetadataSchema>;

/** The provider under audit, as the harness knows it. */
export interface ProviderInfo {
  /** Where the metadata came from (URL or absolute file path). */
  source: string;
  /** The URL the metadata was fetched from, when it was fetched (the issuer check compares against it). */
  discoveryUrl?: string;
  metadata: ProviderMetadata;
  issuer: string;
  /** A protected resource to call with an access token (RFC 6750), when one is known. */
  apiUrl?: string;
  /** Human description of `apiUrl` for observations. */
  apiLabel?: string;
}

/** A usage or configuration problem with a message naming what is wrong. */
export class ProviderConfigError extends LoginHarnessError<'provider-config'> {
  constructor(message: string) {
    super('provider-config', message);
  }
}

/** Formats zod issues as `path: message` lines (the JSON path first, so the reader finds the field). */
export function formatIssues(error: z.ZodError, root = '$'): string {
  return error.issues
    .map((i) => {
      const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return `${root}${path}: ${i.message}`;
    })
    .join('\n');
}

/** Parses a metadata document; throws {@link ProviderConfigError} naming the JSON path. */
export function parseMetadata(doc: unknown, source: string): ProviderMetadata {
  const parsed = ProviderMetadataSchema.safeParse(doc);
  if (!parsed.success)
    throw new ProviderConfigError(`invalid provider metadata from ${source}:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Loads metadata from an http(s) URL or a JSON file. A URL that is an issuer rather than a document
 * gets `/.well-known/openid-configuration` appended (OIDC Discovery 4), as clients do.
 */
export async function loadMetadata(
  source: string,
): Promise<{ metadata: ProviderMetadata; raw: unknown; discoveryUrl?: string; status?: number }> {
  if (/^https?:\/\//i.test(source)) {
    const discoveryUrl = source.includes('/.well-known/')
      ? source
      : `${source.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let res: HttpResponse;
    try {
      res = await httpFetch(discoveryUrl, { headers: { accept: 'application/json' } });
    } catch (err) {
      throw new ProviderConfigError(`cannot fetch ${discoveryUrl}: ${(err as Error).message}`);
    }
    const text = res.body;
    if (!res.ok) throw new ProviderConfigError(`${discoveryUrl} answered ${res.status}`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ProviderConfigError(`${discoveryUrl} did not answer JSON`);
    }
    return { metadata: parseMetadata(raw, discoveryUrl), raw, discoveryUrl, status: res.status };
  }
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new ProviderConfigError(`cannot read ${source}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProviderConfigError(`${source} is not JSON: ${(err as Error).message}`);
  }
  return { metadata: parseMetadata(raw, source), raw };
}
