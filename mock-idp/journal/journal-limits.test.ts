import { describe, expect, it } from 'vitest';
import type { IssuedArtifact, JournalEntry } from '../types.js';
import { ProviderJournal } from './journal.js';

function entry(tag: string | undefined, body = ''): Omit<JournalEntry, 'seq'> {
  return {
    at: 0,
    tag,
    endpoint: 'token',
    request: { method: 'POST', url: 'http://127.0.0.1/token', headers: {}, body },
    response: { status: 200, headers: {} },
  };
}

function artifact(
  tag: string | undefined,
  value: string,
  kind: IssuedArtifact['kind'] = 'access_token',
): IssuedArtifact {
  return { kind, value, tag, clientId: 'c', at: 0 };
}

describe('bounded journal', () => {
  it('keeps untagged entries in a ring of the configured size, newest last', () => {
    const journal = new ProviderJournal({ untaggedEntries: 3 });
    for (let i = 0; i < 10; i++) journal.record(entry(undefined, `b${i}`));
    const kept = journal.entries();
    expect(kept.map((e) => e.request.body)).toEqual(['b7', 'b8', 'b9']);
    expect(kept.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(journal.stats()).toMatchObject({ untaggedEntries: 3, droppedEntries: 7 });
  });

  it('bounds the untagged ring by bytes as well as by count', () => {
    const journal = new ProviderJournal({ untaggedEntries: 1000, untaggedBytes: 5000 });
    for (let i = 0; i < 20; i++) journal.record(entry(undefined, 'x'.repeat(1000)));
    const { untaggedEntries, untaggedBytes } = journal.stats();
    expect(untaggedEntries).toBeLessThan(5);
    expect(untaggedEntries).toBeGreaterThan(0);
    expect(untaggedBytes).toBeLessThanOrEqual(5000);
  });

  it('drops untagged codes and tokens beyond the ring but keeps every client secret', () => {
    const journal = new ProviderJournal({ untaggedArtifacts: 2 });
    journal.recordIssued(artifact(undefined, 'client-secret-value', 'client_secret'));
    for (let i = 0; i < 5; i++) journal.recordIssued(artifact(undefined, `token-${i}-value`));
    expect(journal.secrets().map((a) => a.value)).toEqual(['client-secret-value', 'token-3-value', 'token-4-value']);
    expect(journal.artifact('access_token', 'token-0-value')).toBeUndefined();
    expect(journal.artifact('access_token', 'token-4-value')?.value).toBe('token-4-value');
  });

  it('drops the least recently used tag whole when there are more tags than the cap', () => {
    const journal = new ProviderJournal({ maxTags: 2 });
    journal.record(entry('a'));
    journal.recordIssued(artifact('a', 'token-of-a-value'));
    journal.record(entry('b'));
    journal.record(entry('c'));
    expect(journal.entries({ tag: 'a' })).toEqual([]);
    expect(journal.issued({ tag: 'a' })).toEqual([]);
    expect(journal.artifact('access_token', 'token-of-a-value')).toBeUndefined();
    expect(journal.entries({ tag: 'b' })).toHaveLength(1);
    expect(journal.entries({ tag: 'c' })).toHaveLength(1);
    expect(journal.stats()).toMatchObject({ tags: 2, evictedTags: 1 });
  });

  it('keeps a tag that is still being read or written while newer tags come and go', () => {
    const journal = new ProviderJournal({ maxTags: 3 });
    journal.record(entry('active', 'first'));
    journal.recordIssued(artifact('active', 'active-code-value', 'code'));
    for (let i = 0; i < 50; i++) {
      journal.record(entry(`other-${i}`));
      // A running check reads its own view between the other logins' traffic.
      if (i % 2 === 0) expect(journal.entries({ tag: 'active' })[0]?.request.body).toBe('first');
    }
    expect(journal.entries({ tag: 'active' }).map((e) => e.request.body)).toEqual(['first']);
    expect(journal.issued({ tag: 'active', kind: 'code' }).map((a) => a.value)).toEqual(['active-code-value']);
    expect(journal.stats().tags).toBe(3);
  });

  it('never drops a held tag, however long it stays idle, and drops it on release', () => {
    const journal = new ProviderJournal({ maxTags: 2 });
    const release = journal.hold('held');
    journal.record(entry('held', 'kept'));
    for (let i = 0; i < 20; i++) journal.record(entry(`other-${i}`));
    expect(journal.entries({ tag: 'held' }).map((e) => e.request.body)).toEqual(['kept']);
    release();
    journal.record(entry('one-more'));
    journal.record(entry('and-another'));
    expect(journal.entries({ tag: 'held' })).toEqual([]);
  });

  it('drops a tag at once when it is released explicitly, but not while held', () => {
    const journal = new ProviderJournal();
    journal.record(entry('done'));
    const release = journal.hold('done');
    journal.release('done');
    expect(journal.entries({ tag: 'done' })).toHaveLength(1);
    release();
    journal.release('done');
    expect(journal.entries({ tag: 'done' })).toEqual([]);
  });

  it('keeps the untagged entries recorded during a hold beyond the ring, within one tag worth more', () => {
    const journal = new ProviderJournal({ untaggedEntries: 2, maxEntriesPerTag: 5 });
    journal.record(entry(undefined, 'before'));
    const release = journal.hold('check');
    journal.record(entry(undefined, 'jwks fetch during the check'));
    for (let i = 0; i < 3; i++) journal.record(entry(undefined, `flood-${i}`));
    // The ring alone would keep two; the hold keeps what came after it (the entry before it goes).
    expect(journal.entries().map((e) => e.request.body)).toEqual([
      'jwks fetch during the check',
      'flood-0',
      'flood-1',
      'flood-2',
    ]);
    expect(journal.stats()).toMatchObject({ heldTags: 1, pinnedUntaggedEntries: 2 });
    // Bounded even while held: one tag's worth (5) beyond the ring's 2.
    for (let i = 3; i < 20; i++) journal.record(entry(undefined, `flood-${i}`));
    expect(journal.stats().untaggedEntries).toBe(7);
    release();
    expect(journal.entries().map((e) => e.request.body)).toEqual(['flood-18', 'flood-19']);
    expect(journal.stats()).toMatchObject({ heldTags: 0, pinnedUntaggedEntries: 0 });
  });

  it('counts per tag what was recorded and what the per-tag caps dropped', () => {
    const journal = new ProviderJournal({ maxEntriesPerTag: 3 });
    expect(journal.tagStats('t')).toBeUndefined();
    for (let i = 0; i < 5; i++) journal.record(entry('t', `b${i}`));
    for (let i = 0; i < 4; i++) journal.recordIssued(artifact('t', `token-${i}-value`));
    const release = journal.hold('t');
    expect(journal.tagStats('t')).toMatchObject({
      entries: 3,
      artifacts: 3,
      recorded: 5,
      droppedEntries: 2,
      droppedArtifacts: 1,
      holds: 1,
    });
    release();
    expect(journal.tagStats('t')?.holds).toBe(0);
    // A hold on a tag that never recorded anything leaves nothing behind.
    journal.hold('idle')();
    expect(journal.tagStats('idle')).toBeUndefined();
    expect(journal.stats().tags).toBe(1);
  });

  it('caps one tag by count and bytes, dropping its oldest entries first', () => {
    const journal = new ProviderJournal({ maxEntriesPerTag: 4, maxBytesPerTag: 1_000_000 });
    for (let i = 0; i < 10; i++) journal.record(entry('t', `b${i}`));
    expect(journal.entries({ tag: 't' }).map((e) => e.request.body)).toEqual(['b6', 'b7', 'b8', 'b9']);
    const small = new ProviderJournal({ maxBytesPerTag: 4000 });
    for (let i = 0; i < 10; i++) small.record(entry('t', 'y'.repeat(1000)));
    const kept = small.entries({ tag: 't' });
    expect(kept.length).toBeLessThan(4);
    expect(kept.at(-1)?.seq).toBe(10);
  });

  it('drops least recently used tags when all tags together exceed the byte cap', () => {
    const journal = new ProviderJournal({ maxTaggedBytes: 10_000 });
    for (let i = 0; i < 20; i++) journal.record(entry(`t${i}`, 'z'.repeat(1000)));
    const { tags, taggedBytes } = journal.stats();
    expect(taggedBytes).toBeLessThanOrEqual(10_000);
    expect(tags).toBeLessThan(20);
    expect(journal.entries({ tag: 't19' })).toHaveLength(1);
    expect(journal.entries({ tag: 't0' })).toEqual([]);
  });

  it('lists all entries across tags and the ring in sequence order', () => {
    const journal = new ProviderJournal();
    journal.record(entry('a'));
    journal.record(entry(undefined));
    journal.record(entry('b'));
    journal.record(entry('a'));
    expect(journal.entries().map((e) => [e.seq, e.tag])).toEqual([
      [1, 'a'],
      [2, undefined],
      [3, 'b'],
      [4, 'a'],
    ]);
  });

  it('tells its secrets watchers when a secret is issued or dropped, not on other writes', () => {
    const journal = new ProviderJournal({ maxTags: 1 });
    const heard: string[] = [];
    journal.watchSecrets({ added: (a) => heard.push(`+${a.value}`), dropped: (a) => heard.push(`-${a.value}`) });
    journal.recordIssued(artifact('a', 'secret-of-a-value'));
    expect(heard).toEqual(['+secret-of-a-value']);
    journal.record(entry('a'));
    expect(heard).toEqual(['+secret-of-a-value']);
    journal.record(entry('b'));
    expect(heard).toEqual(['+secret-of-a-value', '-secret-of-a-value']);
    expect(journal.secrets()).toEqual([]);
  });
});

/** The values a watcher believes are held, from what it was told. */
function follow(journal: ProviderJournal): { held: Set<string>; stop: () => void } {
  const held = new Set<string>();
  const stop = journal.watchSecrets({
    added: (a) => held.add(a.value),
    dropped: (a) => held.delete(a.value),
  });
  return { held, stop };
}

describe('journal secrets watchers', () => {
  it('hear of every artifact issued and dropped, so they hold what secrets() holds', () => {
    const journal = new ProviderJournal({ maxTags: 2, maxEntriesPerTag: 3, untaggedArtifacts: 2 });
    journal.recordIssued(artifact(undefined, 'client-secret-value', 'client_secret'));
    const { held } = follow(journal);
    const values = (): string[] => journal.secrets().map((a) => a.value);
    for (let i = 0; i < 12; i++) {
      // Tags a, b, c in turn (one more than maxTags), plus the untagged ring.
      journal.recordIssued(artifact(['a', 'b', 'c', undefined][i % 4], `token-${i}-value`));
      expect([...held].sort()).toEqual(
        values()
          .filter((v) => v !== 'client-secret-value')
          .sort(),
      );
    }
    journal.release('c');
    expect([...held].sort()).toEqual(
      values()
        .filter((v) => v !== 'client-secret-value')
        .sort(),
    );
    expect(journal.stats().evictedTags).toBeGreaterThan(0);
  });

  it('hear of an artifact issued again only once, and nothing after they stopped', () => {
    const journal = new ProviderJournal();
    const told: string[] = [];
    const stop = journal.watchSecrets({
      added: (a) => told.push(`+${a.value}`),
      dropped: (a) => told.push(`-${a.value}`),
    });
    const first = artifact('a', 'code-value-1', 'code');
    journal.recordIssued(first);
    journal.recordIssued(artifact('a', 'code-value-1', 'code'));
    journal.release('a');
    stop();
    journal.recordIssued(artifact('b', 'code-value-2', 'code'));
    expect(told).toEqual(['+code-value-1', '-code-value-1']);
  });
});
