/**
 * The person's part at the provider, shared by every kind of session: parse the authorization request
 * the client sent the person to, then visit it (tagged) and approve, and hand back where the provider
 * redirects. The redirect is not followed: delivering it to the client is a separate, scriptable step.
 */
import type { AuthorizationRequest, AuthorizationResponse, SessionRequest, SessionResponse } from '../types.js';

/** What approving needs from a user agent: one request without following redirects. */
export interface ProviderVisitor {
  request(req: SessionRequest): Promise<SessionResponse>;
}

/** Looks up the parameters a client pushed for a `request_uri` (RFC 9126), without using it up. */
export type PushedLookup = (requestUri: string) => Record<string, string> | undefined;

/**
 * Parses an authorization request URL (RFC 6749 4.1.1) into its query parameters. With a `request_uri`
 * from the provider's PAR endpoint, the parameters are the pushed ones (RFC 9126 4: the provider acts
 * on those), with the front channel's `client_id` and `request_uri`; the URL keeps what the browser saw.
 */
export function parseAuthorizationRequest(url: string, pushed?: PushedLookup): AuthorizationRequest {
  const parsed = new URL(url);
  const params: Record<string, string> = {};
  // The first occurrence wins, as most providers read it; duplicates are visible in the URL itself.
  for (const [k, v] of parsed.searchParams) if (!(k in params)) params[k] = v;
  const resolved = params.request_uri !== undefined ? pushed?.(params.request_uri) : undefined;
  if (resolved)
    return { url, params: { ...resolved, client_id: params.client_id ?? '', request_uri: params.request_uri! } };
  return { url, params };
}

/** True when `url` is the authorization endpoint (same origin and path; the query does not matter). */
export function isAuthorizationEndpoint(url: string, authorizationEndpoint: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(authorizationEndpoint);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

const MAX_FORM_STEPS = 3;

/**
 * Visits the authorization URL as the person and approves: a redirect is the answer; a login or
 * consent form (HTML with a `<form>`) is submitted with its own field values, up to a few steps.
 * Anything else (an error page) is returned with its status and body.
 */
export async function approveAuthorization(
  visitor: ProviderVisitor,
  request: AuthorizationRequest,
): Promise<AuthorizationResponse> {
  let res = await visitor.request({ url: request.url, follow: false });
  for (let step = 0; step < MAX_FORM_STEPS; step++) {
    const location = header(res, 'location');
    if (res.status >= 300 && res.status < 400 && location) {
      return { callbackUrl: new URL(location, res.url).href, status: res.status };
    }
    const form = res.status === 200 ? parseFirstForm(res.body, res.url) : undefined;
    if (!form) break;
    res =
      form.method === 'GET'
        ? await visitor.request({ url: withQuery(form.action, form.fields), follow: false })
        : await visitor.request({
            url: form.action,
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form.fields).toString(),
            follow: false,
          });
  }
  return { status: res.status, body: res.body };
}

function header(res: SessionResponse, name: string): string | undefined {
  const key = Object.keys(res.headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : res.headers[key];
}

function withQuery(action: string, fields: [string, string][]): string {
  const url = new URL(action);
  for (const [k, v] of fields) url.searchParams.append(k, v);
  return url.href;
}

/** A form found in provider HTML: where it goes and the values it would submit as is. */
export interface ParsedForm {
  action: string;
  method: 'GET' | 'POST';
  fields: [string, string][];
}

/**
 * Finds the first `<form>` and the values a person pressing its (first) submit button would send:
 * inputs with their `value`, the first option of each `<select>` unless one is `selected`, checked
 * checkboxes and radios only. Enough for the mock provider's login and consent pages.
 */
export function parseFirstForm(html: string, pageUrl: string): ParsedForm | undefined {
  const formMatch = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!formMatch) return undefined;
  const attrs = formMatch[1];
  const inner = formMatch[2];
  const action = new URL(decodeEntities(attr(attrs, 'action') ?? ''), pageUrl).href;
  const method = (attr(attrs, 'method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const fields: [string, string][] = [];
  let submitTaken = false;
  const tagRe = /<(input|button|select|textarea)\b([^>]*)>([\s\S]*?<\/\1>)?/gi;
  for (let m = tagRe.exec(inner); m; m = tagRe.exec(inner)) {
    const tag = m[1].toLowerCase();
    const a = m[2];
    const name = attr(a, 'name');
    if (name === undefined || /\bdisabled\b/i.test(a)) continue;
    const type = (attr(a, 'type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase();
    if (tag === 'select') {
      const options = [...(m[3] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/gi)];
      const chosen = options.find((o) => /\bselected\b/i.test(o[1])) ?? options[0];
      if (chosen) fields.push([name, decodeEntities(attr(chosen[1], 'value') ?? chosen[2].trim())]);
      continue;
    }
    if (tag === 'textarea') {
      fields.push([name, decodeEntities((m[3] ?? '').replace(/<\/textarea>$/i, ''))]);
      continue;
    }
    if (type === 'submit' || type === 'image') {
      if (submitTaken) continue;
      submitTaken = true;
    } else if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/i.test(a)) continue;
    fields.push([name, decodeEntities(attr(a, 'value') ?? '')]);
  }
  return { action, method, fields };
}

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
