/**
 * Finds the bearer token of an API request and says where it travelled (RFC 6750 section 2). lexoffice
 * accepts only the Authorization header (2.1); a token in the query (2.3) is a finding the journal must
 * show, because URLs end up in logs, histories and Referer headers (RFC 6750 5.3).
 */
import type { BearerInfo } from '../types.js';

/** Where the token was found; `both` means header and query at once (RFC 6750 2: "MUST NOT" use more than one). */
export interface BearerFound {
  location: BearerInfo['location'];
  token?: string;
  /** Set when the request carried the token in more than one place. */
  multiple: boolean;
  /** An Authorization header was present but not `Bearer <b64token>` (RFC 6750 2.1); `token` is then what followed `Bearer`, if anything. */
  malformedHeader: boolean;
  /** The header's scheme: `Bearer`, or `DPoP` (RFC 9449 7.1) when `dpop` is allowed. */
  scheme?: 'Bearer' | 'DPoP';
}

/** RFC 6750 2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Reads the header and the `access_token` query parameter. The scheme name is case-insensitive (RFC 7235 2.1). */
export function findBearer(req: Request, url: URL, opts: { dpop?: boolean } = {}): BearerFound {
  const header = req.headers.get('authorization');
  let headerToken: string | undefined;
  let malformedHeader = false;
  let malformedToken: string | undefined;
  let scheme: 'Bearer' | 'DPoP' = 'Bearer';
  if (header !== null) {
    const m = (opts.dpop ? /^(bearer|dpop) +(\S+) *$/i : /^(bearer) +(\S+) *$/i).exec(header);
    if (m && B64TOKEN.test(m[2])) {
      headerToken = m[2];
      scheme = m[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    } else {
      malformedHeader = true;
      // A Bearer credential that breaks the syntax still travelled in the header: journal it there.
      const rest = /^bearer\s+(.+)$/i.exec(header)?.[1].trim();
      if (rest) malformedToken = rest;
    }
  }
  const queryTokens = url.searchParams.getAll('access_token');
  const queryToken = queryTokens.find((t) => t.length > 0);
  if (queryToken !== undefined) {
    return { location: 'query', token: queryToken, multiple: headerToken !== undefined, malformedHeader };
  }
  if (headerToken !== undefined)
    return { location: 'header', token: headerToken, multiple: false, malformedHeader, scheme };
  if (malformedToken !== undefined)
    return { location: 'header', token: malformedToken, multiple: false, malformedHeader };
  return { location: 'none', multiple: false, malformedHeader };
}
