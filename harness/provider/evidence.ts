/**
 * Evidence of a provider audit: the transcript of every exchange the harness made (agent `harness`)
 * and the book of every secret it saw, so reports never carry a full code, token or secret.
 */
import { SecretSet } from '../../core/redaction.js';
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

/** Secrets shorter than this are not recorded (they would match ordinary words). */
const MIN_SECRET = 8;

/**
 * Every code, token and client secret the harness saw during an audit. `redact` replaces each (also
 * URL-encoded and form-encoded) with the redaction mark of `core/redaction.ts`, longest first so a token
 * that contains another is replaced whole.
 */
export class SecretBook {
  #secrets = new SecretSet();

  add(value: string | undefined, kind: string): void {
    if (typeof value === 'string') this.#secrets.add({ kind, value }, MIN_SECRET);
  }

  /** How many secrets are known (for tests). */
  get size(): number {
    return this.#secrets.size;
  }

  redact = (text: string): string => this.#secrets.redact(text);
}
