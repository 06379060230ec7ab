/**
 * A sequence diagram of a login drawn from a check's transcript, as inline SVG: three lanes (user
 * agent, client, provider) and one arrow per request and response. It needs no script and loads
 * nothing; every label passes through {@link escapeHtml}.
 */
import type { Report, TranscriptEntryModel } from '../model.js';
import { escapeHtml, truncate } from './escape.js';

/** The three participants of an authorization code login. */
export type Lane = 'ua' | 'client' | 'provider';

/** One row of the diagram. */
export interface SequenceStep {
  seq: number;
  kind: 'request' | 'response' | 'note';
  from: Lane;
  to: Lane;
  label: string;
}

/**
 * Header that the harness's user agents put on every request to the provider (docs/ARCHITECTURE.md,
 * "Login tags"): a provider-journal entry that carries it came from the user agent, not the client.
 */
const TAG_HEADER = 'x-login-harness-tag';

/** Path segments of the authorization endpoint in the profiles the harness knows (RFC 6749 §3.1). */
const AUTHORIZE_PATH = /\/(oauth2?\/)?(authorize|auth)(\/|$|\?)/i;

function origin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Path and query for a label, percent-decoded where that is safe so redaction markers stay readable. */
function pathOf(url: string): string {
  let out = url;
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') out = `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
  try {
    return decodeURI(out);
  } catch {
    return out;
  }
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * Places each transcript entry between two lanes. Provider-journal entries tell which origins belong to
 * the provider; user-agent requests to those origins (or to an authorization endpoint path) go to the
 * provider, all others to the client.
 */
export function sequenceSteps(
  transcript: readonly TranscriptEntryModel[],
  mode: Report['mode'] = 'client',
): SequenceStep[] {
  const providerOrigins = new Set<string>();
  for (const e of transcript) {
    const o = e.agent === 'provider' ? origin(e.url) : undefined;
    if (o) providerOrigins.add(o);
  }
  const uaUrls = new Set(
    transcript.filter((e) => e.agent === 'http' || e.agent === 'browser').map((e) => `${e.method} ${e.url}`),
  );
  const answered = new Set(
    transcript
      .filter((e) => (e.agent === 'http' || e.agent === 'browser') && e.status !== undefined)
      .map((e) => `${e.method} ${e.url}`),
  );
  const towards = (url: string): Lane => {
    const o = origin(url);
    return (o && providerOrigins.has(o)) || AUTHORIZE_PATH.test(pathOf(url)) ? 'provider' : 'client';
  };
  const steps: SequenceStep[] = [];
  const exchange = (e: TranscriptEntryModel, from: Lane, to: Lane, label: string) => {
    const answered = e.status !== undefined || e.responseBody !== undefined;
    steps.push({ seq: e.seq, kind: 'request', from, to, label: answered ? label : `${label} (no response)` });
    if (e.status !== undefined) {
      const location = header(e.responseHeaders, 'location');
      const resp = location ? `${e.status} → ${pathOf(location)}` : String(e.status);
      steps.push({ seq: e.seq, kind: 'response', from: to, to: from, label: resp });
    } else if (e.responseBody !== undefined) {
      // Driver answers have no status; their JSON line is the answer.
      steps.push({ seq: e.seq, kind: 'response', from: to, to: from, label: e.responseBody.replace(/\s+/g, ' ') });
    }
  };
  // Entries come per recorder (each session, then the provider journal); time interleaves them.
  const timeline = transcript.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  for (const { e } of timeline) {
    switch (e.agent) {
      case 'provider': {
        const fromUa = header(e.requestHeaders, TAG_HEADER) !== undefined;
        // The user agent's own transcript already shows this exchange.
        if (fromUa && uaUrls.has(`${e.method} ${e.url}`)) continue;
        exchange(e, fromUa ? 'ua' : 'client', 'provider', `${e.method} ${pathOf(e.url)}`);
        break;
      }
      case 'http':
      case 'browser':
        // A hop the agent stopped before (not fetched) is drawn once, by the request that was sent.
        if (e.status === undefined && answered.has(`${e.method} ${e.url}`)) continue;
        exchange(e, 'ua', towards(e.url), `${e.method} ${pathOf(e.url)}`);
        break;
      case 'driver':
        // The harness plays the person and hands the client what a browser would (TARGETS.md §4).
        exchange(e, 'ua', 'client', `${e.note ?? 'driver'}: ${e.method} ${pathOf(e.url)}`.trim());
        break;
      case 'harness':
        if (origin(e.url)) {
          exchange(e, mode === 'provider' ? 'client' : 'ua', towards(e.url), `${e.method} ${pathOf(e.url)}`);
        } else {
          const lane: Lane = mode === 'provider' ? 'client' : 'ua';
          steps.push({ seq: e.seq, kind: 'note', from: lane, to: lane, label: e.note ?? `${e.method} ${e.url}` });
        }
        break;
    }
  }
  return steps;
}

const LANE_X: Record<Lane, number> = { ua: 120, client: 400, provider: 680 };
const WIDTH = 800;
const ROW = 26;
const TOP = 56;
const MAX_STEPS = 150;
/** Roughly how many 11px monospace characters fit per pixel of arrow. */
const CHARS_PER_PX = 1 / 6.8;

/** Lane titles: in a provider audit the harness is the client and the target is the provider. */
function laneTitles(mode: Report['mode']): Record<Lane, string> {
  return mode === 'provider'
    ? { ua: 'User agent (harness)', client: 'Client (harness)', provider: 'Provider (target)' }
    : { ua: 'User agent (harness)', client: 'Client (target)', provider: 'Provider (mock)' };
}

/**
 * Renders the steps as one `<svg>` element. `idPrefix` keeps marker ids unique when a page holds many
 * diagrams. Returns an empty string when there is nothing to draw.
 */
export function renderSequenceSvg(
  transcript: readonly TranscriptEntryModel[],
  opts: { idPrefix: string; mode?: Report['mode'] },
): string {
  const all = sequenceSteps(transcript, opts.mode);
  if (all.length === 0) return '';
  const steps = all.slice(0, MAX_STEPS);
  const height = TOP + steps.length * ROW + (all.length > steps.length ? ROW : 0) + 16;
  const id = opts.idPrefix.replace(/[^A-Za-z0-9_-]/g, '_');
  const titles = laneTitles(opts.mode ?? 'client');
  const parts: string[] = [];
  parts.push(
    `<svg class="sequence" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="Sequence diagram of the login">`,
    `<defs><marker id="${id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>`,
  );
  for (const lane of Object.keys(LANE_X) as Lane[]) {
    const x = LANE_X[lane];
    parts.push(
      `<rect x="${x - 95}" y="6" width="190" height="26" rx="4" fill="#eef2f7" stroke="#7a8899"/>`,
      `<text x="${x}" y="24" text-anchor="middle" font-size="13" font-weight="600">${escapeHtml(titles[lane])}</text>`,
      `<line x1="${x}" y1="32" x2="${x}" y2="${height - 8}" stroke="#9aa5b1" stroke-dasharray="4 4"/>`,
    );
  }
  steps.forEach((s, i) => {
    const y = TOP + i * ROW;
    const span = s.kind === 'note' ? 250 : Math.abs(LANE_X[s.to] - LANE_X[s.from]);
    const label = escapeHtml(truncate(s.label, Math.max(30, Math.floor(span * CHARS_PER_PX) - 2)));
    const full = escapeHtml(`#${s.seq} ${s.label}`);
    if (s.kind === 'note') {
      const x = LANE_X[s.from];
      parts.push(
        `<g><title>${full}</title><rect x="${x + 6}" y="${y - 14}" width="250" height="18" fill="#fff8dc" stroke="#c9b458"/>`,
        `<text x="${x + 12}" y="${y - 1}" font-size="11">${label}</text></g>`,
      );
      return;
    }
    const x1 = LANE_X[s.from];
    const x2 = LANE_X[s.to];
    const dash = s.kind === 'response' ? ' stroke-dasharray="5 3"' : '';
    const color = s.kind === 'response' ? '#555' : '#1f4e8c';
    parts.push(
      `<g><title>${full}</title><line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${color}" stroke-width="1.5"${dash} marker-end="url(#${id}-arrow)"/>`,
      `<text x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle" font-size="11" fill="${color}">${label}</text></g>`,
    );
  });
  if (all.length > steps.length) {
    parts.push(
      `<text x="${WIDTH / 2}" y="${TOP + steps.length * ROW}" text-anchor="middle" font-size="11">… ${all.length - steps.length} more steps in the transcript</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
