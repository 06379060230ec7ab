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
 *
 * The page comes from the provider under audit, so it is read in one pass: each tag up to its `>` (or
 * the end of the text), each closing tag searched for once. Patterns that looked for a closing tag from
 * every start tag (`<input ...>` followed by "anything, then `</input>`") were quadratic: a page of a
 * hundred kilobytes of unclosed `<form` tags took seconds, a megabyte minutes, with the event loop
 * blocked. Malformed markup is read as a browser reads it where that is simple: a `<select>` left open
 * ends at the next control or at the end of the form, a `<textarea>` left open takes the rest of the form.
 */
export function parseFirstForm(html: string, pageUrl: string): ParsedForm | undefined {
  const open = /<form\b([^>]*)>?/gi.exec(html);
  // Without its `>` the tag ran to the end of the text: there is no form.
  if (!open || !open[0].endsWith('>')) return undefined;
  const close = /<\/form>/gi;
  close.lastIndex = open.index + open[0].length;
  const formEnd = close.exec(html);
  if (!formEnd) return undefined;
  const attrs = open[1];
  const inner = html.slice(open.index + open[0].length, formEnd.index);
  const action = new URL(decodeEntities(attr(attrs, 'action') ?? ''), pageUrl).href;
  const method = (attr(attrs, 'method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const fields: [string, string][] = [];
  let submitTaken = false;
  /** The `<select>` being read: its name (undefined when it sends nothing) and its options. */
  let select: { name: string | undefined; options: { attrs: string; text: string }[] } | undefined;
  /** The `<textarea>` being read: its name and where its text starts. */
  let textarea: { name: string | undefined; from: number } | undefined;
  const endSelect = (): void => {
    if (select?.name !== undefined) {
      const chosen = select.options.find((o) => /\bselected\b/i.test(o.attrs)) ?? select.options[0];
      if (chosen) fields.push([select.name, decodeEntities(attr(chosen.attrs, 'value') ?? chosen.text.trim())]);
    }
    select = undefined;
  };
  const controls = /<(\/?)(input|button|select|option|textarea)\b([^>]*)>?/gi;
  for (let m = controls.exec(inner); m; m = controls.exec(inner)) {
    // A tag without its `>` ran to the end of the form: nothing follows it.
    if (!m[0].endsWith('>')) break;
    const isEnd = m[1] === '/';
    const tag = m[2].toLowerCase();
    const a = m[3];
    if (textarea) {
      // Its content is text, whatever it looks like, up to its own end tag.
      if (!(isEnd && tag === 'textarea')) continue;
      if (textarea.name !== undefined)
        fields.push([textarea.name, decodeEntities(inner.slice(textarea.from, m.index))]);
      textarea = undefined;
      continue;
    }
    if (select) {
      if (tag === 'option') {
        if (!isEnd) {
          const lt = inner.indexOf('<', controls.lastIndex);
          select.options.push({ attrs: a, text: inner.slice(controls.lastIndex, lt === -1 ? inner.length : lt) });
        }
        continue;
      }
      endSelect();
      // `</select>`, or another select (which only closes this one); other controls start after it.
      if (tag === 'select') continue;
    }
    if (isEnd) continue;
    const name = enabledName(a);
    if (tag === 'select') {
      select = { name, options: [] };
      continue;
    }
    if (tag === 'textarea') {
      textarea = { name, from: controls.lastIndex };
      continue;
    }
    if (tag === 'option' || name === undefined) continue;
    const type = (attr(a, 'type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase();
    if (type === 'submit' || type === 'image') {
      if (submitTaken) continue;
      submitTaken = true;
    } else if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/i.test(a)) continue;
    fields.push([name, decodeEntities(attr(a, 'value') ?? '')]);
  }
  endSelect();
  if (textarea?.name !== undefined) fields.push([textarea.name, decodeEntities(inner.slice(textarea.from))]);
  return { action, method, fields };
}

/** A control's `name`, or undefined when it has none or is disabled (it then sends nothing). */
function enabledName(attrs: string): string | undefined {
  const name = attr(attrs, 'name');
  return name === undefined || /\bdisabled\b/i.test(attrs) ? undefined : name;
}

/** One attribute reader per name. */
const ATTRIBUTES = new Map<string, RegExp>();

/**
 * The value of attribute `name` in a tag's attribute text. A quote that is not closed runs to the end
 * of the text (read once: a closing quote required after every `name="` made a tag of many of them
 * quadratic).
 */
function attr(attrs: string, name: string): string | undefined {
  let re = ATTRIBUTES.get(name);
  if (!re) {
    re = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"?|'([^']*)'?|([^\\s>]+))`, 'i');
    ATTRIBUTES.set(name, re);
  }
  const m = re.exec(attrs);
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
