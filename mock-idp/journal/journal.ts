import { DEFAULT_MEMORY_LIMITS, type MemoryLimits } from '../store/memory-limits.js';
import type { EndpointName, IssuedArtifact, IssuedKind, Journal, JournalEntry, SecretsWatcher } from '../types.js';

/** Request and response bodies are kept up to this many characters (a journal is evidence, not a mirror). */
export const JOURNAL_BODY_LIMIT = 64 * 1024;

/** Caps a body for the journal, saying how much was left off. */
export function capBody(body: string | undefined): string | undefined {
  if (body === undefined || body.length <= JOURNAL_BODY_LIMIT) return body;
  return `${body.slice(0, JOURNAL_BODY_LIMIT)}…[${body.length - JOURNAL_BODY_LIMIT} more characters]`;
}

/** The journal limits (a subset of the provider's memory limits). */
export type JournalLimits = Pick<
  MemoryLimits,
  | 'maxTags'
  | 'maxEntriesPerTag'
  | 'maxBytesPerTag'
  | 'maxTaggedBytes'
  | 'untaggedEntries'
  | 'untaggedBytes'
  | 'untaggedArtifacts'
>;

/** What the journal holds right now, for the memory documentation, tests and the soak benchmark. */
export interface JournalStats {
  tags: number;
  taggedEntries: number;
  taggedBytes: number;
  untaggedEntries: number;
  untaggedBytes: number;
  artifacts: number;
  /** Tags dropped (least recently used first) since the start. */
  evictedTags: number;
  /** Entries dropped from a tag or from the untagged ring since the start. */
  droppedEntries: number;
  /** Tags held right now (see `ProviderJournal.hold`). */
  heldTags: number;
  /**
   * Untagged entries kept beyond the ring's entry cap because they were recorded while a hold lasted
   * (a held check's unfiltered view, see `ProviderJournal.hold`).
   */
  pinnedUntaggedEntries: number;
}

/** One tag's share of the journal and what happened to it (`ProviderJournal.tagStats`). */
export interface TagStats {
  /** Entries and artifacts the tag holds now. */
  entries: number;
  artifacts: number;
  bytes: number;
  /** Entries recorded for the tag since its bucket was created. */
  recorded: number;
  /** Of those, entries dropped by the per-tag caps (oldest first). */
  droppedEntries: number;
  /** Artifacts dropped by the per-tag caps. */
  droppedArtifacts: number;
  /** Holds on the tag right now. */
  holds: number;
}

/** A first-in first-out list with O(1) removal at the front (an array with a moving head). */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#head += 1;
    // Compact once the dead front is as long as the live part, so the array stays within 2x the live size.
    if (this.#head > 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  toArray(): T[] {
    return this.#items.slice(this.#head);
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let i = this.#head; i < this.#items.length; i++) if (predicate(this.#items[i])) return this.#items[i];
    return undefined;
  }
}

interface Sized<T> {
  item: T;
  bytes: number;
}

/** One login tag's share of the journal. */
interface Bucket {
  entries: Fifo<Sized<JournalEntry>>;
  issued: Fifo<Sized<IssuedArtifact>>;
  bytes: number;
  /** Holds on this tag (see `hold`): a held tag is never dropped for being least recently used. */
  holds: number;
  recorded: number;
  droppedEntries: number;
  droppedArtifacts: number;
}

function stringBytes(record: Record<string, string> | undefined): number {
  if (!record) return 0;
  let n = 0;
  for (const key in record) n += key.length + record[key].length + 16;
  return n;
}

/**
 * Approximate size of an entry in characters: what it holds as strings plus a fixed overhead. Only
 * the proportions matter (the caps are estimates, documented as such), so nothing is serialized.
 */
function entryBytes(e: Omit<JournalEntry, 'seq'>): number {
  return (
    256 +
    e.request.url.length +
    (e.request.body?.length ?? 0) +
    (e.response.body?.length ?? 0) +
    stringBytes(e.request.headers) +
    stringBytes(e.response.headers) +
    stringBytes(e.token?.params) +
    stringBytes(e.authorization?.params) +
    (e.authorization?.location?.length ?? 0) +
    (e.bearer?.token?.length ?? 0) +
    (e.revocation?.token?.length ?? 0)
  );
}

function artifactBytes(a: IssuedArtifact): number {
  return (
    128 +
    a.value.length +
    (a.parent?.length ?? 0) +
    (a.scope?.length ?? 0) +
    (a.redirectUri?.length ?? 0) +
    (a.codeChallenge?.length ?? 0) +
    (a.nonce?.length ?? 0)
  );
}

/**
 * The provider's memory: exchanges and issued artifacts, bounded. Each login tag has a bucket (entries
 * and artifacts, capped in count and bytes, oldest dropped first); buckets are kept in least recently
 * used order and the least recently used ones are dropped whole when there are more than `maxTags` or
 * more than `maxTaggedBytes` (never the tag being written, never a held tag). Untagged entries and
 * artifacts are rings; client secrets are kept for as long as the provider runs. A read or write of a
 * tag counts as a use, so a check that is running keeps its tag fresh.
 *
 * The writer side (`record`, `recordIssued`, `artifact`, `release`) is internal to the provider;
 * consumers see the read-only `Journal`, with `hold` to keep a login's share while they still read it.
 */
export class ProviderJournal implements Journal {
  readonly #limits: JournalLimits;
  /** Insertion order is use order: a use moves the tag to the end. */
  readonly #buckets = new Map<string, Bucket>();
  readonly #untagged = new Fifo<Sized<JournalEntry>>();
  readonly #untaggedIssued = new Fifo<IssuedArtifact>();
  readonly #clientSecrets: IssuedArtifact[] = [];
  /** Per kind, by value: no `kind|value` key strings, which would copy every token once more. */
  readonly #byValue = new Map<IssuedKind, Map<string, IssuedArtifact>>();
  /**
   * Issue order of the artifacts held, so merged listings come out oldest first as before. A Map whose
   * entries go with the artifact (in `#forget`, like `#byValue`'s), not a WeakMap: a WeakMap entry per
   * code and token costs the garbage collector more than the rest of recording it.
   */
  readonly #issueOrder = new Map<IssuedArtifact, number>();
  readonly #listeners = new Set<(e: JournalEntry) => void>();
  /** Active holds, each with the last `seq` recorded before it was taken. */
  readonly #holds = new Set<{ tag: string; after: number }>();
  readonly #secretsWatchers = new Set<SecretsWatcher>();
  #seq = 0;
  #issuedCount = 0;
  #taggedBytes = 0;
  #untaggedBytes = 0;
  #evictedTags = 0;
  #droppedEntries = 0;

  constructor(limits: Partial<JournalLimits> = {}) {
    this.#limits = { ...DEFAULT_MEMORY_LIMITS, ...limits };
  }

  entries(filter?: { tag?: string; endpoint?: EndpointName }): JournalEntry[] {
    const endpoint = filter?.endpoint;
    const all =
      filter?.tag !== undefined
        ? (this.#use(filter.tag)?.entries.toArray() ?? [])
        : this.#mergeBySeq([this.#untagged.toArray(), ...[...this.#buckets.values()].map((b) => b.entries.toArray())]);
    const out: JournalEntry[] = [];
    for (const { item } of all) if (endpoint === undefined || item.endpoint === endpoint) out.push(item);
    return out;
  }

  issued(filter?: { tag?: string; kind?: IssuedKind }): IssuedArtifact[] {
    const kind = filter?.kind;
    const all =
      filter?.tag !== undefined
        ? (this.#use(filter.tag)
            ?.issued.toArray()
            .map((s) => s.item) ?? [])
        : this.#allIssued();
    return kind === undefined ? all : all.filter((a) => a.kind === kind);
  }

  secrets(): IssuedArtifact[] {
    return this.#allIssued();
  }

  /**
   * Follows the secrets from now on: `watcher` hears of every artifact issued and every one dropped
   * (what `secrets()` gains and loses), in that order. Returns the function that stops it.
   */
  watchSecrets(watcher: SecretsWatcher): () => void {
    this.#secretsWatchers.add(watcher);
    return () => {
      this.#secretsWatchers.delete(watcher);
    };
  }

  waitFor(
    predicate: (e: JournalEntry) => boolean,
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<JournalEntry> {
    const present = this.entries().find(predicate);
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

  /** Appends an entry (seq assigned here), keeps the journal within its limits, notifies subscribers. */
  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    this.#seq += 1;
    const full: JournalEntry = { seq: this.#seq, ...entry };
    const sized = { item: full, bytes: entryBytes(entry) };
    if (full.tag === undefined) {
      this.#untagged.push(sized);
      this.#untaggedBytes += sized.bytes;
      this.#trimUntagged();
    } else {
      const bucket = this.#bucketFor(full.tag);
      bucket.entries.push(sized);
      bucket.recorded += 1;
      bucket.bytes += sized.bytes;
      this.#taggedBytes += sized.bytes;
      this.#trimBucket(bucket);
      this.#evictLeastRecentlyUsed(full.tag);
    }
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
    ofKind.set(artifact.value, artifact);
    this.#issuedCount += 1;
    this.#issueOrder.set(artifact, this.#issuedCount);
    // Before the caps are applied below, so a watcher hears of an artifact before it may be dropped.
    for (const watcher of this.#secretsWatchers) watcher.added(artifact);
    if (artifact.tag === undefined) {
      if (artifact.kind === 'client_secret') {
        // A registered client's secret belongs to every login of that client: never dropped.
        this.#clientSecrets.push(artifact);
      } else {
        this.#untaggedIssued.push(artifact);
        while (this.#untaggedIssued.size > this.#limits.untaggedArtifacts) {
          const dropped = this.#untaggedIssued.shift();
          if (dropped) this.#forget(dropped);
        }
      }
    } else {
      const bucket = this.#bucketFor(artifact.tag);
      const bytes = artifactBytes(artifact);
      bucket.issued.push({ item: artifact, bytes });
      bucket.bytes += bytes;
      this.#taggedBytes += bytes;
      this.#trimBucket(bucket);
      this.#evictLeastRecentlyUsed(artifact.tag);
    }
    return artifact;
  }

  /** The artifact record for a value, to mark it revoked or redeemed (undefined once it was dropped). */
  artifact(kind: IssuedKind, value: string): IssuedArtifact | undefined {
    return this.#byValue.get(kind)?.get(value);
  }

  /**
   * Keeps `tag` from being dropped for being least recently used until the returned function is called
   * (per-tag count and byte caps still apply), for whoever knows when a login starts and ends: the
   * harness holds each check's tag for the check's duration. While a hold lasts, the untagged entries
   * recorded since it was taken (discovery and JWKS fetches, which a check reads in its unfiltered view)
   * are kept beyond the ring's caps too, up to one tag's worth more (`maxEntriesPerTag`,
   * `maxBytesPerTag`), so a flood of other traffic cannot push them out while the check still reads them.
   */
  hold(tag: string): () => void {
    const bucket = this.#bucketFor(tag);
    bucket.holds += 1;
    const held = { tag, after: this.#seq };
    this.#holds.add(held);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bucket.holds -= 1;
      this.#holds.delete(held);
      // A hold on a tag that recorded nothing leaves no empty bucket behind.
      const empty = bucket.entries.size === 0 && bucket.issued.size === 0;
      if (bucket.holds === 0 && empty && this.#buckets.get(tag) === bucket) this.#buckets.delete(tag);
      // What the hold pinned in the ring is now subject to the ring's caps again.
      this.#trimUntagged();
    };
  }

  /** Drops `tag`'s entries and artifacts now (a login that is over), unless it is held. */
  release(tag: string): void {
    const bucket = this.#buckets.get(tag);
    if (bucket && bucket.holds === 0) this.#evict(tag, bucket);
  }

  stats(): JournalStats {
    let taggedEntries = 0;
    let artifacts = this.#clientSecrets.length + this.#untaggedIssued.size;
    for (const b of this.#buckets.values()) {
      taggedEntries += b.entries.size;
      artifacts += b.issued.size;
    }
    return {
      tags: this.#buckets.size,
      taggedEntries,
      taggedBytes: this.#taggedBytes,
      untaggedEntries: this.#untagged.size,
      untaggedBytes: this.#untaggedBytes,
      artifacts,
      evictedTags: this.#evictedTags,
      droppedEntries: this.#droppedEntries,
      heldTags: [...this.#buckets.values()].filter((b) => b.holds > 0).length,
      pinnedUntaggedEntries: Math.max(0, this.#untagged.size - this.#limits.untaggedEntries),
    };
  }

  /**
   * One tag's counters (undefined when the journal holds nothing of the tag, e.g. after it was dropped
   * whole). Reading them does not count as a use of the tag.
   */
  tagStats(tag: string): TagStats | undefined {
    const b = this.#buckets.get(tag);
    if (!b) return undefined;
    return {
      entries: b.entries.size,
      artifacts: b.issued.size,
      bytes: b.bytes,
      recorded: b.recorded,
      droppedEntries: b.droppedEntries,
      droppedArtifacts: b.droppedArtifacts,
      holds: b.holds,
    };
  }

  /**
   * Keeps the untagged ring within its caps, oldest first. Entries recorded after the oldest active hold
   * was taken stay, up to one tag's worth beyond the caps (see `hold`).
   */
  #trimUntagged(): void {
    let pinnedAfter = Infinity;
    for (const h of this.#holds) pinnedAfter = Math.min(pinnedAfter, h.after);
    const { untaggedEntries, untaggedBytes, maxEntriesPerTag, maxBytesPerTag } = this.#limits;
    while (this.#untagged.size > 1) {
      const count = this.#untagged.size;
      const bytes = this.#untaggedBytes;
      if (count <= untaggedEntries && bytes <= untaggedBytes) return;
      const pinned = (this.#untagged.peek()?.item.seq ?? 0) > pinnedAfter;
      if (pinned && count <= untaggedEntries + maxEntriesPerTag && bytes <= untaggedBytes + maxBytesPerTag) return;
      this.#untaggedBytes -= this.#untagged.shift()?.bytes ?? 0;
      this.#droppedEntries += 1;
    }
  }

  /** The bucket of `tag`, marked as just used (moved to the end of the use order). */
  #use(tag: string): Bucket | undefined {
    const bucket = this.#buckets.get(tag);
    if (bucket) {
      this.#buckets.delete(tag);
      this.#buckets.set(tag, bucket);
    }
    return bucket;
  }

  #bucketFor(tag: string): Bucket {
    const existing = this.#use(tag);
    if (existing) return existing;
    const bucket: Bucket = {
      entries: new Fifo(),
      issued: new Fifo(),
      bytes: 0,
      holds: 0,
      recorded: 0,
      droppedEntries: 0,
      droppedArtifacts: 0,
    };
    this.#buckets.set(tag, bucket);
    return bucket;
  }

  /** Per-tag caps: the oldest entries go first, then the oldest artifacts; the newest entry always stays. */
  #trimBucket(bucket: Bucket): void {
    const over = (): boolean => bucket.bytes > this.#limits.maxBytesPerTag;
    while (bucket.entries.size > 1 && (bucket.entries.size > this.#limits.maxEntriesPerTag || over())) {
      const dropped = bucket.entries.shift();
      if (!dropped) break;
      bucket.bytes -= dropped.bytes;
      this.#taggedBytes -= dropped.bytes;
      this.#droppedEntries += 1;
      bucket.droppedEntries += 1;
    }
    while (bucket.issued.size > 1 && (bucket.issued.size > this.#limits.maxEntriesPerTag || over())) {
      const dropped = bucket.issued.shift();
      if (!dropped) break;
      bucket.bytes -= dropped.bytes;
      this.#taggedBytes -= dropped.bytes;
      bucket.droppedArtifacts += 1;
      this.#forget(dropped.item);
    }
  }

  /** Drops least recently used tags while over the tag or byte cap, sparing `current` and held tags. */
  #evictLeastRecentlyUsed(current: string): void {
    if (this.#buckets.size <= this.#limits.maxTags && this.#taggedBytes <= this.#limits.maxTaggedBytes) return;
    for (const [tag, bucket] of this.#buckets) {
      if (this.#buckets.size <= this.#limits.maxTags && this.#taggedBytes <= this.#limits.maxTaggedBytes) return;
      if (tag === current || bucket.holds > 0) continue;
      this.#evict(tag, bucket);
    }
  }

  #evict(tag: string, bucket: Bucket): void {
    this.#buckets.delete(tag);
    this.#taggedBytes -= bucket.bytes;
    this.#droppedEntries += bucket.entries.size;
    this.#evictedTags += 1;
    for (const { item } of bucket.issued.toArray()) this.#forget(item);
  }

  /** Removes a dropped artifact from the value index (unless the index already holds a newer record). */
  #forget(artifact: IssuedArtifact): void {
    const ofKind = this.#byValue.get(artifact.kind);
    if (ofKind?.get(artifact.value) === artifact) ofKind.delete(artifact.value);
    this.#issueOrder.delete(artifact);
    for (const watcher of this.#secretsWatchers) watcher.dropped(artifact);
  }

  #allIssued(): IssuedArtifact[] {
    const all = [...this.#clientSecrets, ...this.#untaggedIssued.toArray()];
    for (const bucket of this.#buckets.values()) for (const { item } of bucket.issued.toArray()) all.push(item);
    const order = (a: IssuedArtifact): number => this.#issueOrder.get(a) ?? 0;
    return all.sort((a, b) => order(a) - order(b));
  }

  /** Merges lists that are each in `seq` order into one. */
  #mergeBySeq(lists: Array<Array<Sized<JournalEntry>>>): Array<Sized<JournalEntry>> {
    const nonEmpty = lists.filter((l) => l.length > 0);
    if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
    return nonEmpty.flat().sort((a, b) => a.item.seq - b.item.seq);
  }
}
