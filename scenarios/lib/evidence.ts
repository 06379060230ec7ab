/**
 * Leak scans. The provider knows every code, token and secret it issued (TARGETS.md §2), so a leak is
 * an exact or URL-encoded occurrence of one of those values in an evidence channel: URLs, headers,
 * bodies, browser storage, logs.
 */
import type { IssuedKind } from '../../mock-idp/types.js';
import type { TranscriptEntry } from '../../harness/types.js';
import type { ClientCheckContext } from '../types.js';
import { parseSetCookie, splitSetCookie } from './cookies.js';

/** A value the provider issued (or registered) that must not show up where it does not belong. */
export interface KnownSecret {
  kind: IssuedKind;
  value: string;
}

/** A place evidence was found in: a label a reader understands, and its text. */
export interface Place {
  where: string;
  text: string;
}

/** A secret found in a place. */
export interface Leak {
  kind: IssuedKind;
  where: string;
}

// Values shorter than this are not scanned: they would match by chance.
const MIN_SECRET_LENGTH = 8;

/**
 * This check's issued codes and tokens of the given kinds, plus the client's registered secret when
 * `client_secret` is asked for.
 */
export function knownSecrets(ctx: ClientCheckContext, kinds: IssuedKind[]): KnownSecret[] {
  const out: KnownSecret[] = [];
  const seen = new Set<string>();
  const add = (kind: IssuedKind, value: string | undefined): void => {
    if (!value || value.length < MIN_SECRET_LENGTH || seen.has(value)) return;
    seen.add(value);
    out.push({ kind, value });
  };
  for (const a of ctx.journal.issued()) if (kinds.includes(a.kind)) add(a.kind, a.value);
  if (kinds.includes('client_secret')) {
    add('client_secret', ctx.target.client.secret);
    for (const a of ctx.fullJournal.secrets()) {
      if (a.kind === 'client_secret' && a.clientId === ctx.target.client.id) add('client_secret', a.value);
    }
  }
  return out;
}

/** The forms in which a value may appear: as is, URL-encoded, form-encoded, JSON-escaped. */
function encodings(value: string): string[] {
  const forms = new Set([
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ]);
  return [...forms];
}

/** Which of `secrets` occur in `text`. */
export function findSecrets(text: string, secrets: KnownSecret[]): KnownSecret[] {
  if (!text) return [];
  return secrets.filter((s) => encodings(s.value).some((form) => text.includes(form)));
}

/** Every secret found in every place. */
export function scanPlaces(places: Place[], secrets: KnownSecret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const p of places) for (const s of findSecrets(p.text, secrets)) leaks.push({ kind: s.kind, where: p.where });
  return leaks;
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Every URL in a transcript: requested URLs and redirect targets (Location). */
export function urlPlaces(transcript: TranscriptEntry[]): Place[] {
  const out: Place[] = [];
  for (const e of transcript) {
    out.push({ where: `URL of ${e.method} #${e.seq}`, text: e.url });
    const location = header(e.responseHeaders, 'location');
    if (location) out.push({ where: `Location header of #${e.seq} (${stripQuery(e.url)})`, text: location });
  }
  return out;
}

/** Every Referer header a user agent sent. */
export function refererPlaces(transcript: TranscriptEntry[]): Place[] {
  const out: Place[] = [];
  for (const e of transcript) {
    const referer = header(e.requestHeaders, 'referer');
    if (referer) out.push({ where: `Referer sent to ${stripQuery(e.url)} (#${e.seq})`, text: referer });
  }
  return out;
}

/**
 * What the target served to the browser, for leak.page: the bodies of responses from `origin`, and their
 * headers except what a more specific check owns, so each flaw is reported once. A `Location` is a URL:
 * leak.url scans every one for every token. A cookie without HttpOnly is script-readable storage:
 * leak.storage scans it, as set (`readableCookiesSet` in cookies.ts) and as kept. What no other check
 * reads stays here: other headers, cookies marked HttpOnly, and what does not parse as a cookie.
 */
export function servedPlaces(transcript: TranscriptEntry[], origin: string): Place[] {
  const out: Place[] = [];
  for (const e of transcript) {
    if (originOf(e.url) !== origin) continue;
    const at = `served at ${stripQuery(e.url)} (#${e.seq})`;
    if (e.responseBody) out.push({ where: `body ${at}`, text: e.responseBody });
    for (const [k, v] of Object.entries(e.responseHeaders ?? {})) {
      const name = k.toLowerCase();
      if (name === 'location') continue;
      if (name === 'set-cookie') {
        for (const part of splitSetCookie(v)) {
          const c = parseSetCookie(part);
          if (!c) out.push({ where: `set-cookie header ${at}`, text: part });
          else if (c.httpOnly)
            out.push({ where: `HttpOnly cookie ${c.name} in the set-cookie header ${at}`, text: part });
        }
        continue;
      }
      out.push({ where: `${k} header ${at}`, text: v });
    }
  }
  return out;
}

/** Origin of a URL, or '' when it does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** A URL without query and fragment, safe to quote in a summary. */
export function stripQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split(/[?#]/)[0];
  }
}

/** "2 refresh_token, 1 code" style summary of leaks. */
export function describeLeaks(leaks: Leak[]): string {
  const byKind = new Map<string, Set<string>>();
  for (const l of leaks) {
    const set = byKind.get(l.kind) ?? new Set<string>();
    set.add(l.where);
    byKind.set(l.kind, set);
  }
  return [...byKind.entries()].map(([kind, where]) => `${kind} in ${[...where].slice(0, 3).join('; ')}`).join(' | ');
}
