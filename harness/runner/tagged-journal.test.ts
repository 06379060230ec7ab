import { describe, expect, it } from 'vitest';
import { ProviderJournal } from '../../mock-idp/journal/journal.js';
import type { EndpointName, IssuedKind } from '../../mock-idp/types.js';
import { taggedJournal } from './tagged-journal.js';

/** A journal with one exchange and one artifact for each of `tags` (in that order), and an untagged secret. */
function journalOf(tags: Array<string | undefined>): ProviderJournal {
  const journal = new ProviderJournal();
  let at = 1000;
  for (const tag of tags) {
    journal.record({
      at: at++,
      ...(tag ? { tag } : {}),
      endpoint: 'token' as EndpointName,
      request: { method: 'POST', url: `http://127.0.0.1:1/token?for=${tag ?? 'none'}`, headers: {} },
      response: { status: 200, headers: {} },
    });
    journal.recordIssued({
      kind: 'access_token' as IssuedKind,
      value: `token-of-${tag ?? 'none'}-0123456789`,
      ...(tag ? { tag } : {}),
      clientId: 'c',
      at: at++,
    });
  }
  journal.recordIssued({ kind: 'client_secret', value: 'the-client-secret-0123456789', clientId: 'c', at: at++ });
  return journal;
}

const forOf = (url: string): string | null => new URL(url).searchParams.get('for');

describe('taggedJournal', () => {
  it("shows one tag's entries and artifacts, and the untagged client secret", () => {
    const view = taggedJournal(journalOf(['a', 'shared', 'b', undefined]), 'a');
    expect(view.entries().map((e) => forOf(e.request.url))).toEqual(['a']);
    expect(view.issued().map((a) => a.tag)).toEqual(['a']);
    expect(view.secrets().map((a) => a.value)).toEqual(['token-of-a-0123456789', 'the-client-secret-0123456789']);
  });

  it('adds the tags of the shared logins a check asked for, also those it asks for later, in journal order', async () => {
    const journal = journalOf(['shared', 'a', 'b', 'later']);
    const more: string[] = [];
    const view = taggedJournal(journal, 'a', more);
    expect(view.entries().map((e) => forOf(e.request.url))).toEqual(['a']);
    more.push('later', 'shared');
    expect(view.entries().map((e) => forOf(e.request.url))).toEqual(['shared', 'a', 'later']);
    expect(view.entries({ endpoint: 'authorization' })).toEqual([]);
    expect(view.issued({ kind: 'access_token' }).map((a) => a.tag)).toEqual(['shared', 'a', 'later']);
    expect(view.secrets().map((a) => a.tag ?? 'untagged')).toEqual(['shared', 'a', 'later', 'untagged']);
    // Waits and subscriptions see the added tags, and still not another check's.
    const seen: string[] = [];
    const unsubscribe = view.subscribe((e) => seen.push(e.tag ?? 'untagged'));
    const waited = view.waitFor((e) => e.endpoint === 'userinfo', { timeoutMs: 2000 });
    for (const tag of ['b', 'shared']) {
      journal.record({
        at: 2000,
        tag,
        endpoint: 'userinfo',
        request: { method: 'GET', url: `http://127.0.0.1:1/userinfo?for=${tag}`, headers: {} },
        response: { status: 200, headers: {} },
      });
    }
    expect(forOf((await waited).request.url)).toBe('shared');
    unsubscribe();
    expect(seen).toEqual(['shared']);
  });
});
