/**
 * Bodies of responses the provider built from strings. Such a response is created without a body
 * stream (building and draining a web stream costs more than the rest of a typical answer); its text
 * is kept on it under this symbol, so the journal and the node transport use the string directly, and
 * `materialize` gives a response with the real body to callers that read it as a web Response
 * (`idp.handle`, msw, Playwright).
 *
 * A property of the response, not a WeakMap entry: every response the provider answers with would be
 * a WeakMap key, and the garbage collector processes each such entry specially (an ephemeron) when
 * the response dies, which cost more than building the response itself.
 */
const TEXT = Symbol('mock-idp response text');
/** The response's headers as the journal records them, read once (see `responseHeaderRecord`). */
const HEADER_RECORD = Symbol('mock-idp response header record');

/** A Response with what the provider remembers of it. */
interface Remembered extends Response {
  [TEXT]?: string | null;
  [HEADER_RECORD]?: Readonly<Record<string, string>>;
}

/** Attaches `value` under `key`, not enumerable: a response looks no different to anyone who inspects it. */
function remember<K extends typeof TEXT | typeof HEADER_RECORD>(
  response: Response,
  key: K,
  value: NonNullable<Remembered[K]> | null,
): void {
  Object.defineProperty(response, key, { value, writable: true, configurable: true });
}

/** What `new Response(text)` adds when the caller gave no content type (Fetch, "extract a body"). */
const DEFAULT_TEXT_TYPE = 'text/plain;charset=UTF-8';

function hasContentType(headers: HeadersInit | undefined): boolean {
  if (headers === undefined) return false;
  if (headers instanceof Headers) return headers.has('content-type');
  const names = Array.isArray(headers) ? headers.map(([name]) => name) : Object.keys(headers);
  return names.some((name) => name.toLowerCase() === 'content-type');
}

/** A Response whose body text is remembered; the body itself is attached only when materialized. */
export function textResponse(body: string | null, init: ResponseInit): Response {
  let headers = init.headers;
  if (body !== null && !hasContentType(headers)) {
    const given = new Headers(headers);
    given.set('content-type', DEFAULT_TEXT_TYPE);
    headers = given;
  }
  const response = new Response(null, headers === init.headers ? init : { ...init, headers });
  remember(response, TEXT, body);
  return response;
}

/** The remembered body text of a response the provider built from a string (`''` for no body). */
export function knownText(response: Response): string | undefined {
  const text = (response as Remembered)[TEXT];
  return text === undefined ? undefined : (text ?? '');
}

/** True when `response` was built with `textResponse(null, ...)`: no body at all. */
export function hasNoBody(response: Response): boolean {
  return (response as Remembered)[TEXT] === null;
}

/**
 * The response as a web-standard Response with its body attached, for callers outside the provider.
 * Responses not built by `textResponse` are returned as they are.
 */
export function materialize(response: Response): Response {
  const text = (response as Remembered)[TEXT];
  if (text === undefined || text === null) return response;
  const full = new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  remember(full, TEXT, text);
  return full;
}

/**
 * Every header of `response` as the journal records them (lower-case names, sorted), read from its
 * `Headers` once: the journal and the node transport both need them. A provider's responses are not
 * changed after they are built, so the record stays true.
 */
export function responseHeaderRecord(response: Response): Readonly<Record<string, string>> {
  // Read once: iterating a web `Headers` sorts its names every time.
  let record = (response as Remembered)[HEADER_RECORD];
  if (record === undefined) {
    const out: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      out[key] = value;
    });
    record = out;
    remember(response, HEADER_RECORD, record);
  }
  return record;
}
