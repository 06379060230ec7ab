/**
 * Set-Cookie as the HTTP agent's transcript shows it. Headers are kept as one string per name, so
 * several cookies may arrive joined by ", " (the way Fetch joins them); the split below only breaks
 * where a new `name=` follows, never inside an `Expires` date.
 */
import type { TranscriptEntry } from '../../harness/types.js';

/** One Set-Cookie header, parsed (RFC 6265 §4.1). */
export interface SetCookie {
  name: string;
  value: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: string;
  /** `Max-Age<=0` or an `Expires` in the past: the cookie is being deleted. */
  deleted: boolean;
  /** Transcript entry that set it. */
  seq: number;
  url: string;
}

/** Splits a possibly joined Set-Cookie header value into single cookies. */
export function splitSetCookie(header: string): string[] {
  return header
    .split(/\n|,(?=\s*[^;,=\s]+=)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parses one Set-Cookie string. */
export function parseSetCookie(text: string, seq = 0, url = '', now = Date.now()): SetCookie | undefined {
  const [pair, ...attrs] = text.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const cookie: SetCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    httpOnly: false,
    secure: false,
    deleted: false,
    seq,
    url,
  };
  for (const attr of attrs) {
    const [k, ...v] = attr.split('=');
    const key = k.trim().toLowerCase();
    const value = v.join('=').trim();
    if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'samesite') cookie.sameSite = value;
    else if (key === 'max-age' && Number(value) <= 0) cookie.deleted = true;
    else if (key === 'expires' && Date.parse(value) < now) cookie.deleted = true;
  }
  return cookie;
}

/** Every cookie the responses from `origin` set, in transcript order. */
export function cookiesSetBy(transcript: TranscriptEntry[], origin: string): SetCookie[] {
  const out: SetCookie[] = [];
  for (const e of transcript) {
    if (!sameOrigin(e.url, origin)) continue;
    for (const [name, value] of Object.entries(e.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'set-cookie') continue;
      for (const part of splitSetCookie(value)) {
        const c = parseSetCookie(part, e.seq, e.url);
        if (c) out.push(c);
      }
    }
  }
  return out;
}

/**
 * Every cookie without HttpOnly that any response in the transcript set (deletions left out): script
 * could read it while the browser kept it, even if it is gone by the time storage is read.
 */
export function readableCookiesSet(transcript: TranscriptEntry[]): SetCookie[] {
  const out: SetCookie[] = [];
  for (const e of transcript) {
    for (const [name, value] of Object.entries(e.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'set-cookie') continue;
      for (const part of splitSetCookie(value)) {
        const c = parseSetCookie(part, e.seq, e.url);
        if (c && !c.httpOnly && !c.deleted) out.push(c);
      }
    }
  }
  return out;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
