import { describe, expect, it } from 'vitest';
import type { IssuedArtifact } from '../types.js';
import { ProviderJournal } from './journal.js';

function artifact(
  tag: string | undefined,
  value: string,
  kind: IssuedArtifact['kind'] = 'access_token',
): IssuedArtifact {
  return { kind, value, tag, clientId: 'c', at: 0 };
}

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
