import type { Exchange } from '../provider-context.js';
import type { BearerInfo } from '../types.js';

/** Where the bearer token was found; `multiple` when the client used more than one method. */
export interface ExtractedBearer {
  location: BearerInfo['location'] | 'multiple';
  token?: string;
  /** The Authorization header's scheme (`DPoP` for RFC 9449 7.1); Bearer elsewhere. */
  scheme?: 'Bearer' | 'DPoP';
}

/**
 * Finds the access token of a resource request (RFC 6750 2): the Authorization header (2.1), a form
 * body parameter (2.2, POST with form content type only), or the URI query (2.3, which the mock refuses
 * unless permissive `api-bearer-query-accepted`). RFC 6750 2: more than one method MUST NOT be used.
 */
export function extractBearer(exchange: Exchange): ExtractedBearer {
  const found: Array<{ location: BearerInfo['location']; token: string; scheme?: 'Bearer' | 'DPoP' }> = [];
  const header = exchange.request.headers.get('authorization');
  if (header !== null) {
    const match = /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(header);
    if (match) {
      found.push({
        location: 'header',
        token: match[2],
        scheme: match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer',
      });
    }
  }
  const contentType = exchange.request.headers.get('content-type') ?? '';
  if (exchange.request.method === 'POST' && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const token = exchange.form.get('access_token');
    if (token !== null) found.push({ location: 'body', token });
  }
  const query = exchange.url.searchParams.get('access_token');
  if (query !== null) found.push({ location: 'query', token: query });
  if (found.length === 0) return { location: 'none' };
  if (found.length > 1) return { location: 'multiple', token: found[0].token };
  return { ...found[0], scheme: found[0].scheme ?? 'Bearer' };
}
