/**
 * A check's view of the provider journal: only the entries and artifacts of its own login tag, so
 * checks that run concurrently against one provider never see each other's logins (ARCHITECTURE.md,
 * "Login tags").
 */
import type { Journal, JournalEntry } from '../../mock-idp/types.js';
import { timedStep } from './timings.js';

/** `journal` with its waits timed as `wait` steps of the current check (the unfiltered journal of a check). */
export function timedJournal(journal: Journal): Journal {
  return {
    entries: (filter) => journal.entries(filter),
    issued: (filter) => journal.issued(filter),
    secrets: () => journal.secrets(),
    waitFor: (predicate, opts) => timedStep('wait', () => journal.waitFor(predicate, opts)),
    subscribe: (listener) => journal.subscribe(listener),
  };
}

/**
 * Wraps `journal` so every read is filtered by `tag`. `secrets()` keeps this tag's artifacts plus the
 * untagged client secrets (a client secret belongs to every login of that client).
 */
export function taggedJournal(journal: Journal, tag: string): Journal {
  const mine = (e: JournalEntry): boolean => e.tag === tag;
  return {
    entries: (filter) => journal.entries({ ...filter, tag }),
    issued: (filter) => journal.issued({ ...filter, tag }),
    secrets: () =>
      journal.secrets().filter((a) => a.tag === tag || (a.tag === undefined && a.kind === 'client_secret')),
    waitFor: (predicate, opts) => timedStep('wait', () => journal.waitFor((e) => mine(e) && predicate(e), opts)),
    subscribe: (listener) =>
      journal.subscribe((e) => {
        if (mine(e)) listener(e);
      }),
  };
}
