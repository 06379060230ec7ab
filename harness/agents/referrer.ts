/**
 * The Referer a browser sends, per W3C Referrer Policy. leak.referer depends on this being exactly
 * what a browser would send: a code in the callback URL reaches other origins only through it.
 *
 * @see https://www.w3.org/TR/referrer-policy/#determine-requests-referrer
 */
import { startTags } from '../../core/html-tags.js';

export const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
] as const;

export type ReferrerPolicy = (typeof REFERRER_POLICIES)[number];

/** Browsers' default since 2020 (Referrer Policy section 3, "the default referrer policy"). */
export const DEFAULT_REFERRER_POLICY: ReferrerPolicy = 'strict-origin-when-cross-origin';

const KNOWN = new Set<string>(REFERRER_POLICIES);

/**
 * Parses a `Referrer-Policy` header value: a comma-separated list in which the last token the browser
 * understands wins (Referrer Policy section 8.1), so sites can list a fallback first.
 */
export function parseReferrerPolicy(value: string | null | undefined): ReferrerPolicy | undefined {
  if (!value) return undefined;
  let policy: ReferrerPolicy | undefined;
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (KNOWN.has(t)) policy = t as ReferrerPolicy;
  }
  return policy;
}

/** Legacy `<meta name="referrer">` keywords map onto policies (HTML, "Standard metadata names"). */
const META_LEGACY: Record<string, ReferrerPolicy> = {
  never: 'no-referrer',
  default: 'strict-origin-when-cross-origin',
  always: 'unsafe-url',
  'origin-when-crossorigin': 'origin-when-cross-origin',
};

/** The policy a `<meta name="referrer" content="...">` in an HTML document sets, if any (last wins). */
export function metaReferrerPolicy(html: string): ReferrerPolicy | undefined {
  let policy: ReferrerPolicy | undefined;
  for (const tag of startTags(html, 'meta')) {
    const name = /\bname\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1];
    if (name?.toLowerCase() !== 'referrer') continue;
    const content = /\bcontent\s*=\s*["']?([^"'>]*)/i.exec(tag)?.[1]?.trim().toLowerCase() ?? '';
    const p = KNOWN.has(content) ? (content as ReferrerPolicy) : META_LEGACY[content];
    if (p) policy = p;
  }
  return policy;
}

/** Whether a request from `from` to `to` goes from a secure to a non-secure scheme. */
function isDowngrade(from: URL, to: URL): boolean {
  return from.protocol === 'https:' && to.protocol !== 'https:';
}

/** The Referer header value for a request to `target` made from the document at `referrer`, or undefined. */
export function computeReferrer(
  referrer: URL | null | undefined,
  target: URL,
  policy: ReferrerPolicy,
): string | undefined {
  if (!referrer || (referrer.protocol !== 'http:' && referrer.protocol !== 'https:')) return undefined;
  // Section 8.4: strip credentials and fragment; the origin-only form is the origin plus "/".
  const full = new URL(referrer.href);
  full.username = '';
  full.password = '';
  full.hash = '';
  const originOnly = `${referrer.origin}/`;
  const sameOrigin = referrer.origin === target.origin;
  switch (policy) {
    case 'no-referrer':
      return undefined;
    case 'unsafe-url':
      return full.href;
    case 'origin':
      return originOnly;
    case 'strict-origin':
      return isDowngrade(referrer, target) ? undefined : originOnly;
    case 'same-origin':
      return sameOrigin ? full.href : undefined;
    case 'origin-when-cross-origin':
      return sameOrigin ? full.href : originOnly;
    case 'no-referrer-when-downgrade':
      return isDowngrade(referrer, target) ? undefined : full.href;
    case 'strict-origin-when-cross-origin':
      if (sameOrigin) return full.href;
      return isDowngrade(referrer, target) ? undefined : originOnly;
  }
}
