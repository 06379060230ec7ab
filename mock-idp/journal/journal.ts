import type { EndpointName, IssuedArtifact, IssuedKind, Journal, JournalEntry } from '../types.js';

/** Request and response bodies are kept up to this many characters (a journal is evidence, not a mirror). */
export const JOURNAL_BODY_LIMIT = 64 * 1024;

/** Caps a body for the journal, saying how much was left off. */
export function capBody(body: string | undefined): string | undefined {
  if (body === undefined || body.length <= JOURNAL_BODY_LIMIT) return body;
  return `${body.slice(0, JOURNAL_BODY_LIMIT)}…[${body.length - JOURNAL_BODY_LIMIT} more characters]`;
}

/**
 * The provider's memory: every exchange and every issued artifact. The writer side (`record`,
 * `recordIssued`, `updateIssued`) is internal to the provider; consumers see the read-only `Journal`.
 */
export class ProviderJournal implements Journal {
  readonly #entries: JournalEntry[] = [];
  readonly #issued: IssuedArtifact[] = [];
  /** Per kind, by value: no `kind|value` key strings, which would copy every token once more. */
  readonly #byValue = new Map<IssuedKind, Map<string, IssuedArtifact>>();
  readonly #listeners = new Set<(e: JournalEntry) => void>();

  entries(filter?: { tag?: string; endpoint?: EndpointName }): JournalEntry[] {
    return this.#entries.filter(
      (e) =>
        (filter?.tag === undefined || e.tag === filter.tag) &&
        (filter?.endpoint === undefined || e.endpoint === filter.endpoint),
    );
  }

  issued(filter?: { tag?: string; kind?: IssuedKind }): IssuedArtifact[] {
    return this.#issued.filter(
      (a) =>
        (filter?.tag === undefined || a.tag === filter.tag) && (filter?.kind === undefined || a.kind === filter.kind),
    );
  }

  secrets(): IssuedArtifact[] {
    return [...this.#issued];
  }

  waitFor(
    predicate: (e: JournalEntry) => boolean,
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<JournalEntry> {
    const present = this.#entries.find(predicate);
    if (present) return Promise.resolve(present);
    return new Promise<JournalEntry>((resolve, reject) => {
      const timeoutMs = opts?.timeoutMs ?? 10_000;
      const cleanup = (): void => {
        clearTimeout(timer);
        unsubscribe();
        opts?.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        cleanup();
        reject(opts?.signal?.reason ?? new Error('journal wait aborted'));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching journal entry within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.subscribe((e) => {
        if (!predicate(e)) return;
        cleanup();
        resolve(e);
      });
      if (opts?.signal?.aborted) onAbort();
      else opts?.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  subscribe(listener: (e: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Appends an entry (seq assigned here) and notifies subscribers. */
  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full: JournalEntry = { seq: this.#entries.length + 1, ...entry };
    this.#entries.push(full);
    for (const listener of [...this.#listeners]) {
      try {
        listener(full);
      } catch {
        // A failing subscriber must not break the provider's answer.
      }
    }
    return full;
  }

  /** Records an issued artifact; the same object is later updated in place (revoked, redeemed). */
  recordIssued(artifact: IssuedArtifact): IssuedArtifact {
    let ofKind = this.#byValue.get(artifact.kind);
    if (!ofKind) {
      ofKind = new Map();
      this.#byValue.set(artifact.kind, ofKind);
    }
    const existing = ofKind.get(artifact.value);
    if (existing) return existing;
    this.#issued.push(artifact);
    ofKind.set(artifact.value, artifact);
    return artifact;
  }

  /** The artifact record for a value, to mark it revoked or redeemed. */
  artifact(kind: IssuedKind, value: string): IssuedArtifact | undefined {
    return this.#byValue.get(kind)?.get(value);
  }
}
