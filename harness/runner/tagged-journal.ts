/**
 * A check's view of the provider journal: only the entries and artifacts of its own login tag, so
 * checks that run concurrently against one provider never see each other's logins (ARCHITECTURE.md,
 * "Login tags").
 */
import type { Journal } from '../../mock-idp/types.js';
import { timedStep, type CheckTimer } from './timings.js';

/** `journal` with its waits timed as `wait` steps on `timer` (the unfiltered journal of a check). */
export function timedJournal(journal: Journal, timer: CheckTimer): Journal {
  return {
    entries: (filter) => journal.entries(filter),
    issued: (filter) => journal.issued(filter),
    secrets: () => journal.secrets(),
    waitFor: (predicate, opts) => timedStep(timer, 'wait', () => journal.waitFor(predicate, opts)),
    subscribe: (listener) => journal.subscribe(listener),
  };
}

/**
 * Wraps `journal` so every read is filtered by `tag`, or by `tag` and the tags in `more` (the shared
 * logins a check asked for; the array may grow while the view is in use). `secrets()` keeps these tags'
 * artifacts plus the untagged client secrets (a client secret belongs to every login of that client).
 * With `timer`, its waits are `wait` steps of that check.
 */
export function taggedJournal(
  journal: Journal,
  tag: string,
  more: readonly string[] = [],
  timer?: CheckTimer,
): Journal {
  const mine = (t: string | undefined): boolean => t === tag || (t !== undefined && more.includes(t));
  /** The entries or artifacts of every tag of the view, in the journal's order (`key`; a stable sort). */
  const union = <T>(read: (tag: string) => T[], key: (x: T) => number): T[] =>
    more.length === 0 ? read(tag) : [...more, tag].flatMap(read).sort((a, b) => key(a) - key(b));
  return {
    entries: (filter) =>
      union(
        (t) => journal.entries({ ...filter, tag: t }),
        (e) => e.seq,
      ),
    issued: (filter) =>
      union(
        (t) => journal.issued({ ...filter, tag: t }),
        (a) => a.at,
      ),
    secrets: () => journal.secrets().filter((a) => mine(a.tag) || (a.tag === undefined && a.kind === 'client_secret')),
    waitFor: (predicate, opts) =>
      timedStep(timer, 'wait', () => journal.waitFor((e) => mine(e.tag) && predicate(e), opts)),
    subscribe: (listener) =>
      journal.subscribe((e) => {
        if (mine(e.tag)) listener(e);
      }),
  };
}
