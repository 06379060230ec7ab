import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRedaction,
  followSecrets,
  RedactionIndex,
  redactionMark,
  redactSecrets,
  SecretSet,
  type SecretSource,
  type SecretValue,
  type SecretsWatcher,
} from './redaction.js';

/** The plain definition: one alternation of every secret, longest first (verbatim forms only). */
function reference(text: string, values: SecretValue[]): string {
  const forms = new Map<string, SecretValue>();
  for (const v of values) if (v.value.length >= 6 && !forms.has(v.value)) forms.set(v.value, v);
  const ordered = [...forms.keys()].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return text;
  const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(ordered.map(escape).join('|'), 'g'), (m) => redactionMark(forms.get(m)!));
}

describe('compileRedaction', () => {
  it('redacts the longer of two secrets that share a start, and both when they stand apart', () => {
    const short: SecretValue = { kind: 'code', value: 'eyJhbGciOi.short' };
    const long: SecretValue = { kind: 'access_token', value: 'eyJhbGciOi.short.and-longer' };
    const redact = compileRedaction([short, long]);
    expect(redact('a eyJhbGciOi.short.and-longer b eyJhbGciOi.short c')).toBe(
      `a ${redactionMark(long)} b ${redactionMark(short)} c`,
    );
    expect(redact('eyJhbGciOi.sho')).toBe('eyJhbGciOi.sho');
  });

  it('finds URL-encoded forms and leaves values shorter than six characters alone', () => {
    const secret: SecretValue = { kind: 'refresh_token', value: 'ab/cd+ef==' };
    expect(
      redactSecrets(`x=${encodeURIComponent(secret.value)}&y=abc12`, [secret, { kind: 'code', value: 'abc12' }]),
    ).toBe(`x=${redactionMark(secret)}&y=abc12`);
  });

  it('gives the same text as one alternation of every secret, longest first', () => {
    // Secrets from a small alphabet share starts and contain each other, the hard cases.
    const alphabet = fc.constantFrom('a', 'b', 'c', '.', 'e', 'y', 'J');
    const value = fc.string({ unit: alphabet, minLength: 4, maxLength: 14 });
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 8 }),
        fc.array(fc.oneof(value, fc.string({ unit: alphabet, maxLength: 5 })), { maxLength: 12 }),
        (values, parts) => {
          const secrets = values.map((v, i) => ({ kind: i % 2 ? 'code' : 'access_token', value: v }));
          const text = parts.join('');
          expect(compileRedaction(secrets)(text)).toBe(reference(text, secrets));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('SecretSet', () => {
  it('redacts what was added since the last call, with the same marks as compileRedaction', () => {
    const set = new SecretSet();
    const code = { kind: 'code', value: 'code-1234567890' };
    const token = { kind: 'access_token', value: 'at-abcdefghijkl' };
    set.add(code);
    expect(set.redact(`a ${code.value} b ${token.value}`)).toBe(`a ${redactionMark(code)} b ${token.value}`);
    set.add(token);
    set.add({ kind: 'code', value: 'short' });
    set.add({ kind: 'code', value: 'long-enough' }, 16);
    expect(set.size).toBe(2);
    const text = `a ${code.value} b ${encodeURIComponent(token.value)} c long-enough`;
    expect(set.redact(text)).toBe(compileRedaction([code, token])(text));
  });
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Source files (no tests, no test support) of a folder, relative to the repository root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((f) => !f.split(/[\\/]/).includes('testing') && !f.split(/[\\/]/).includes('fixtures'));
}

describe('one redaction', () => {
  const files = ['core', 'harness', 'mock-idp', 'reports', 'scenarios', 'api'].flatMap(sources);
  const text = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

  it('is the only module that spells a redaction mark', () => {
    expect(files.length).toBeGreaterThan(100);
    const spelling = files.filter((f) => f !== join('core', 'redaction.ts') && /\[redacted:/.test(text(f)));
    expect(spelling).toEqual([]);
  });

  it('is what the mock provider and the provider audit redact with, and the report writers redact nothing', () => {
    for (const file of [join('mock-idp', 'create-mock-idp.ts'), join('harness', 'provider', 'evidence.ts')]) {
      expect(text(file), file).toMatch(/from '(\.\.\/)+core\/redaction\.js'/);
    }
    // Results reach the writers redacted (harness/runner/execute.ts); a writer with a redaction of its
    // own would be a second place that decides what a secret looks like.
    const writers = files.filter((f) => f.split(/[\\/]/)[0] === 'reports');
    expect(writers.length).toBeGreaterThan(10);
    expect(writers.filter((f) => /\bredact\w*\s*\(|from '[^']*core\/redaction\.js'/.test(text(f)))).toEqual([]);
  });
});

describe('RedactionIndex', () => {
  const a = { kind: 'access_token', value: 'AAAAAAAA-first-token' };
  const b = { kind: 'refresh_token', value: 'AAAAAAAA-first-token-longer' };
  const c = { kind: 'code', value: 'code/with+chars' };

  it('follows the secrets it is synced to: added ones are redacted, dropped ones no longer', () => {
    const index = new RedactionIndex();
    index.sync([a, c]);
    expect(index.apply(`x ${a.value} ${encodeURIComponent(c.value)}`)).toBe(
      'x [redacted:access_token:AAAA…] [redacted:code:code…]',
    );
    index.sync([c, b]);
    // `b` is longer and shares `a`'s start: with `a` dropped, its text is redacted as `b` only where `b` occurs.
    expect(index.apply(`${b.value} ${a.value}`)).toBe(`[redacted:refresh_token:AAAA…] ${a.value}`);
    index.sync([]);
    expect(index.apply(`${b.value} ${c.value}`)).toBe(`${b.value} ${c.value}`);
  });

  it('follows secrets added and removed one by one, as syncing to the same set does', () => {
    const index = new RedactionIndex();
    index.add(a);
    index.add(c);
    index.add(b);
    index.remove(a);
    const text = `${b.value} ${a.value} ${encodeURIComponent(c.value)}`;
    expect(index.apply(text)).toBe(`[redacted:refresh_token:AAAA…] ${a.value} [redacted:code:code…]`);
    expect(index.apply(text)).toBe(compileRedaction([c, b])(text));
    index.remove(a);
    index.remove(c);
    index.remove(b);
    expect(index.apply(text)).toBe(text);
  });

  it('finds secrets that start with characters outside ASCII, also after others were removed', () => {
    const index = new RedactionIndex();
    const umlaut = { kind: 'client_secret', value: 'äöü-geheim-123' };
    index.add(umlaut);
    index.add(a);
    index.remove(a);
    expect(index.apply(`x ${umlaut.value} ${encodeURIComponent(umlaut.value)} ${a.value}`)).toBe(
      `x [redacted:client_secret:äöü-…] [redacted:client_secret:äöü-…] ${a.value}`,
    );
    index.remove(umlaut);
    expect(index.apply(`x ${umlaut.value}`)).toBe(`x ${umlaut.value}`);
  });

  it('gives the alternation text for many tokens of a long common start, as secrets come and go', () => {
    // The tokens of one signing key: dozens share a JWT header (and claims), some contain others, so the
    // groups of forms are large and are split below their common start, then split again.
    const head = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3Mi';
    const tail = fc.string({ unit: fc.constantFrom('a', 'b', '.', 'J'), maxLength: 9 });
    const value = fc
      .tuple(fc.constantFrom('', head, `${head}ab`, `${head}ab.aJ`, 'bbbbbb'), tail)
      .map(([start, rest]) => start + rest);
    fc.assert(
      fc.property(
        fc.uniqueArray(value, { minLength: 30, maxLength: 60 }),
        fc.array(fc.array(fc.nat(59), { minLength: 20, maxLength: 60 }), { minLength: 1, maxLength: 4 }),
        // The text: secrets of the pool (held or not), their starts, and other characters.
        fc.array(fc.oneof(fc.nat(59), fc.nat(59), value, tail), { minLength: 4, maxLength: 16 }),
        (values, picks, parts) => {
          const pool = values.map((v, i) => ({ kind: i % 2 ? 'code' : 'access_token', value: v }));
          const index = new RedactionIndex();
          const text = parts.map((p) => (typeof p === 'number' ? pool[p % pool.length]!.value : p)).join('');
          for (const pick of picks) {
            const held = [...new Set(pick.map((i) => pool[i % pool.length]!))];
            index.sync(held);
            expect(index.apply(text)).toBe(reference(text, held));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts exactly as compiling the same secrets afresh does', () => {
    const index = new RedactionIndex();
    const pool = [a, b, c, { kind: 'client_secret', value: 'secret-xyz-123', clientId: 'demo' }];
    const text = `${b.value}|${a.value}?${encodeURIComponent(c.value)}&${Buffer.from('demo:secret-xyz-123').toString('base64')}`;
    for (const set of [[0, 1], [1, 2, 3], [3], [0, 1, 2, 3], [2]]) {
      const values = set.map((i) => pool[i]!);
      index.sync(values);
      expect(index.apply(text)).toBe(compileRedaction(values)(text));
    }
  });
});

/** A source that holds `values` and tells its watchers of changes, as a provider journal does. */
class WatchedSource implements SecretSource {
  readonly held: SecretValue[] = [];
  readonly #watchers = new Set<SecretsWatcher>();
  secrets(): readonly SecretValue[] {
    return [...this.held];
  }
  watchSecrets(watcher: SecretsWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }
  issue(secret: SecretValue): void {
    this.held.push(secret);
    for (const w of this.#watchers) w.added(secret);
  }
  drop(secret: SecretValue): void {
    this.held.splice(this.held.indexOf(secret), 1);
    for (const w of this.#watchers) w.dropped(secret);
  }
}

describe('followSecrets', () => {
  const code = (value: string): SecretValue => ({ kind: 'code', value });

  it('redacts what its sources hold at each text, also sources that appear later', () => {
    const a = new WatchedSource();
    const b = new WatchedSource();
    const sources: SecretSource[] = [a];
    const redact = followSecrets(() => sources);
    a.issue(code('first-code-111111'));
    expect(redact('x first-code-111111')).toBe(`x ${redactionMark(code('first-code-111111'))}`);
    a.issue(code('later-code-222222'));
    b.issue(code('other-code-333333'));
    sources.push(b);
    expect(redact('later-code-222222 other-code-333333')).not.toMatch(/222222|333333/);
    a.drop(a.held[0]!);
    expect(redact('first-code-111111')).toBe('first-code-111111');
  });

  it('keeps a value redacted until every source that holds it has dropped it', () => {
    const a = new WatchedSource();
    const b = new WatchedSource();
    const redact = followSecrets(() => [a, b]);
    const shared = code('shared-code-444444');
    a.issue(shared);
    b.issue({ ...shared });
    expect(redact(shared.value)).not.toContain('444444');
    a.drop(shared);
    expect(redact(shared.value)).not.toContain('444444');
    b.drop(b.held[0]!);
    expect(redact(shared.value)).toBe(shared.value);
  });

  it('reads a source that cannot be followed again at every text', () => {
    const held: SecretValue[] = [code('polled-code-555555')];
    const source: SecretSource = { secrets: () => held };
    const redact = followSecrets(() => [source]);
    expect(redact('polled-code-555555')).not.toContain('555555');
    held.push(code('polled-code-666666'));
    expect(redact('polled-code-666666')).not.toContain('666666');
    held.shift();
    expect(redact('polled-code-555555 polled-code-666666')).toBe(
      `polled-code-555555 ${redactionMark(code('polled-code-666666'))}`,
    );
  });
});
