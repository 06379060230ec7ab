import type { ProviderRequest } from '../provider-context.js';

/** Every header of a web Request, as the journal records them (lower-case names, sorted). */
export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/** The provider's view of a web-standard Request. */
export function providerRequest(request: Request): ProviderRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    headerRecord: () => headersRecord(request.headers),
  };
}
