/**
 * Evidence of a provider audit: the transcript of every exchange the harness made (agent `harness`)
 * and the book of every secret it saw, so reports never carry a full code, token or secret.
 */
import type { TranscriptEntry } from '../types.js';

/** Bodies longer than this are cut in the transcript (the start is what a reviewer reads). */
const MAX_BODY = 4000;

/** Collects the exchanges of one check, numbered in order. */
export class Recorder {
  #entries: TranscriptEntry[] = [];
  #seq = 0;
  constructor(private readonly clock: () => number = Date.now) {}

  /** Records one exchange; returns it. */
  record(entry: Omit<TranscriptEntry, 'seq' | 'at' | 'agent'>): TranscriptEntry {
    const e: TranscriptEntry = { seq: ++this.#seq, at: this.clock(), agent: 'harness', ...entry };
    if (e.responseBody !== undefined && e.responseBody.length > MAX_BODY) {
      e.responseBody = `${e.responseBody.slice(0, MAX_BODY)}… [${e.responseBody.length - MAX_BODY} more characters]`;
    }
    this.#entries.push(e);
    return e;
  }

  entries(): TranscriptEntry[] {
    return [...this.#entries];
  }
}

/** Secrets shorter than this are not redacted (they would match ordinary words). */
const MIN_SECRET = 8;

/**
 * Every code, token and client secret the harness saw during an audit. `redact` replaces each (also
 * URL-encoded and form-encoded) with a short labelled stub, longest first so a token that contains
 * another is replaced whole.
 */
export class SecretBook {
  #values = new Map<string, string>();
  #sorted: string[] | undefined;

  add(value: string | undefined, kind: string): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET || this.#values.has(value)) return;
    this.#values.set(value, kind);
    this.#sorted = undefined;
  }

  /** How many secrets are known (for tests). */
  get size(): number {
    return this.#values.size;
  }

  redact = (text: string): string => {
    if (this.#values.size === 0 || !text) return text;
    this.#sorted ??= [...this.#values.keys()].sort((a, b) => b.length - a.length);
    let out = text;
    for (const value of this.#sorted) {
      const stub = `[${this.#values.get(value)}:${value.slice(0, 4)}…]`;
      for (const form of new Set([
        value,
        encodeURIComponent(value),
        new URLSearchParams({ v: value }).toString().slice(2),
      ])) {
        if (out.includes(form)) out = out.split(form).join(stub);
      }
    }
    return out;
  };
}
