/**
 * The one redaction of the project: how a code, token or secret is found in a text (verbatim,
 * URL-encoded, form-encoded, inside HTTP Basic credentials) and the mark that replaces it. The mock
 * provider redacts what it issued with it (its journal, `login-harness idp`'s log), the provider audit
 * what it saw (`harness/provider/evidence.ts`), and the executor applies the audit's redactor to every
 * result once (`harness/runner/execute.ts`), so no report or log holds a full token, code or secret.
 * Report writers write results as they are. This file sits in `core/` so both the mock and the harness
 * use it without depending on each other.
 */

/** A secret value and what it is, as the redaction needs it. */
export interface SecretValue {
  /** What the value is (`code`, `access_token`, `client_secret`, ...), shown in its mark. */
  kind: string;
  value: string;
  /** For client secrets: the client id, so the HTTP Basic credential (base64 of `id:secret`) is found too. */
  clientId?: string;
}

/** How a redacted secret is shown: kind and the first four characters, enough to tell values apart. */
export function redactionMark(secret: SecretValue): string {
  return `[redacted:${secret.kind}:${secret.value.slice(0, 4)}…]`;
}

/** Characters of a form that locate it; every form is at least this long (shorter values are not redacted). */
const PREFIX_LENGTH = 6;

/** Values shorter than this are not redacted: they would match ordinary words. */
export const MIN_SECRET_LENGTH = PREFIX_LENGTH;

/**
 * Replaces every occurrence of each secret in `text` (verbatim, URL-encoded with
 * `encodeURIComponent`, and form-encoded as `application/x-www-form-urlencoded` writes it) with
 * `[redacted:<kind>:<first 4 chars>…]`; a client secret with its `clientId` is also found inside HTTP Basic
 * credentials (base64). Pure: reports and logs use it with the provider's secrets.
 * Longer values are replaced first so a value that contains another is not half-redacted.
 */
export function redactSecrets(text: string, values: readonly SecretValue[]): string {
  return compileRedaction(values)(text);
}

/**
 * Compiles the redaction of `values` once, for callers that redact many texts against the same secrets.
 * `redactSecrets(text, values)` is `compileRedaction(values)(text)`.
 */
export function compileRedaction(values: readonly SecretValue[]): (text: string) => string {
  const index = new RedactionIndex();
  index.sync(values);
  return (text) => index.apply(text);
}

/** Told of each secret a source gains and loses, one by one (a provider journal's `watchSecrets`). */
export interface SecretsWatcher {
  added(secret: SecretValue): void;
  dropped(secret: SecretValue): void;
}

/** Secrets that change while texts are redacted: a provider's journal. */
export interface SecretSource {
  /** What the source holds now. */
  secrets(): readonly SecretValue[];
  /** Follows the source from now on; without it, the source is read again at every redaction. */
  watchSecrets?(watcher: SecretsWatcher): () => void;
}

/**
 * The redaction of whatever `sources()` hold at the moment a text is redacted, in one pass over the text
 * however many sources there are. A source is read once, when it first appears, and followed from then
 * on (`watchSecrets`), so a redaction costs the same however many secrets a long run has issued;
 * rebuilding the list of every secret at each text made a logging provider slower with every token it
 * kept. `sources` may grow (a run starts providers as checks need them). A value held twice (by two
 * artifacts or two sources) stays redacted until both have dropped it.
 */
export function followSecrets(sources: () => Iterable<SecretSource>): (text: string) => string {
  const index = new RedactionIndex();
  const holders = new Map<string, number>();
  const added = (secret: SecretValue): void => {
    const key = keyOf(secret);
    const n = holders.get(key) ?? 0;
    holders.set(key, n + 1);
    if (n === 0) index.add(secret);
  };
  const dropped = (secret: SecretValue): void => {
    const key = keyOf(secret);
    const n = holders.get(key) ?? 0;
    if (n > 1) holders.set(key, n - 1);
    else {
      holders.delete(key);
      index.remove(secret);
    }
  };
  const followed = new Set<SecretSource>();
  /** Sources that cannot be followed, with what they held at the last redaction. */
  const polled = new Map<SecretSource, readonly SecretValue[]>();
  return (text) => {
    for (const source of sources()) {
      if (followed.has(source)) continue;
      if (source.watchSecrets) {
        followed.add(source);
        source.watchSecrets({ added, dropped });
        for (const secret of source.secrets()) added(secret);
      } else {
        // The new list is counted before the old one is let go, so a secret held by both stays indexed.
        const now = [...source.secrets()]; // a copy: a source may hand out the list it keeps changing
        for (const secret of now) added(secret);
        for (const secret of polled.get(source) ?? []) dropped(secret);
        polled.set(source, now);
      }
    }
    return index.apply(text);
  };
}

/** The forms in which a secret may appear in a text: verbatim, URL-encoded, form-encoded, HTTP Basic. */
function formsOf(secret: SecretValue): string[] {
  const formEncode = (text: string): string => new URLSearchParams({ v: text }).toString().slice(2);
  const variants = new Set([secret.value, encodeURIComponent(secret.value), formEncode(secret.value)]);
  if (secret.kind === 'client_secret' && secret.clientId !== undefined) {
    // RFC 6749 2.3.1 Basic credentials, as specified (form-encoded first) and as commonly sent (raw).
    for (const pair of [
      `${formEncode(secret.clientId)}:${formEncode(secret.value)}`,
      `${secret.clientId}:${secret.value}`,
    ]) {
      variants.add(Buffer.from(pair).toString('base64'));
    }
  }
  return [...variants];
}

function keyOf(secret: SecretValue): string {
  return `${secret.kind}\u0000${secret.clientId ?? ''}\u0000${secret.value}`;
}

/** A form of a secret and the secret it redacts. */
interface Entry {
  form: string;
  secret: SecretValue;
}

/**
 * A group below the prefix its forms share: sub-groups by the `PREFIX_LENGTH` characters after it, and
 * the forms too short to have them (longest first).
 */
interface Split {
  common: string;
  children: Map<string, FormGroup>;
  rest: Entry[];
}

/** Puts `entry` into `list` before the first shorter form. */
function insertLongestFirst(list: Entry[], entry: Entry): void {
  const i = list.findIndex((c) => c.form.length < entry.form.length);
  list.splice(i === -1 ? list.length : i, 0, entry);
}

/** The key of the sub-group of `split` that `form` belongs to, or undefined when it ends too soon (`rest`). */
function subKey(split: Split, form: string): string | undefined {
  const from = split.common.length;
  return form.length < from + PREFIX_LENGTH ? undefined : form.slice(from, from + PREFIX_LENGTH);
}

/** Puts a form that has `split`'s common prefix where it belongs: its sub-group, or `rest`, longest first. */
function place(split: Split, entry: Entry): void {
  const key = subKey(split, entry.form);
  if (key === undefined) return insertLongestFirst(split.rest, entry);
  const child = split.children.get(key);
  if (child) child.add(entry);
  else split.children.set(key, new FormGroup([entry]));
}

/** Groups of at most this many forms are tried one by one; larger ones are split (see {@link FormGroup}). */
const SPLIT_ABOVE = 8;

/**
 * Forms that share a prefix, longest first. A large group is split below the prefix all its forms have in
 * common, by the `PREFIX_LENGTH` characters that follow it: the tokens a provider signs share a long
 * beginning (every JWT of one key starts with the same header, and often the same `iss` claim), and a
 * text with a JWT in it was compared with each of the hundreds of tokens of an audit, over that whole
 * common beginning. A position is now compared with the common prefix once, then with the few forms of
 * its sub-group. The split is made when a text is first scanned against a large group, then kept up to
 * date form by form. It is the same lookup: the longest form that starts at the position (every form of
 * a sub-group is longer than the forms that end inside the characters it is keyed by, and only one
 * sub-group can match).
 */
class FormGroup {
  #split: Split | undefined;

  constructor(
    /** Longest first. */
    private entries: Entry[],
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /**
   * Adds a form. A split that exists takes it in place when the form has the split's common prefix (the
   * tokens of one key do), and is made again otherwise: rebuilding it at every token a provider issued
   * cost as much as the scans it saved.
   */
  add(entry: Entry): void {
    insertLongestFirst(this.entries, entry);
    const split = this.#split;
    if (!split) return;
    if (entry.form.startsWith(split.common)) place(split, entry);
    else this.#split = undefined;
  }

  /** Removes a form it holds (a split keeps its common prefix, which every form left still has). */
  remove(form: string): void {
    this.entries = this.entries.filter((c) => c.form !== form);
    const split = this.#split;
    if (!split) return;
    const key = subKey(split, form);
    if (key === undefined) {
      split.rest = split.rest.filter((c) => c.form !== form);
      return;
    }
    const child = split.children.get(key);
    child?.remove(form);
    if (child?.size === 0) split.children.delete(key);
  }

  /** The longest form that starts at `at` in `text`. */
  find(text: string, at: number): Entry | undefined {
    if (this.entries.length <= SPLIT_ABOVE) return this.entries.find((c) => text.startsWith(c.form, at));
    const split = (this.#split ??= this.#splitUp());
    if (!text.startsWith(split.common, at)) return undefined;
    const from = at + split.common.length;
    return (
      split.children.get(text.slice(from, from + PREFIX_LENGTH))?.find(text, at) ??
      split.rest.find((c) => text.startsWith(c.form, at))
    );
  }

  #splitUp(): Split {
    let common = this.entries[0].form;
    for (const { form } of this.entries) {
      let n = 0;
      const max = Math.min(common.length, form.length);
      while (n < max && common.charCodeAt(n) === form.charCodeAt(n)) n++;
      common = common.slice(0, n);
    }
    const split: Split = { common, children: new Map(), rest: [] };
    for (const entry of this.entries) place(split, entry);
    return split;
  }
}

/**
 * The redaction of a changing set of secrets, kept up to date secret by secret: a provider that has
 * issued thousands of tokens redacts each log line without compiling anything again, so redaction
 * costs the same per text however many secrets are held (a pattern over every form, recompiled at every
 * issuance, made a long-running provider slower with every token it kept).
 *
 * A text is scanned once: at each position, the forms that start with the next few characters are tried,
 * longest first. Same result as the alternation of every form, longest first: leftmost match, the
 * longest form at that position.
 */
export class RedactionIndex {
  /** Forms by their first `PREFIX_LENGTH` characters. */
  readonly #byPrefix = new Map<string, FormGroup>();
  /** The forms each secret added, by `keyOf`, so a dropped secret takes its forms with it. */
  readonly #secrets = new Map<string, { secret: SecretValue; forms: string[] }>();
  /** How many secrets hold each form (two secrets of different kinds may share one). */
  readonly #owners = new Map<string, number>();
  /**
   * How many prefixes start with each pair of ASCII characters (index `c0 << 7 | c1`), so `apply` passes
   * most positions of a text by two character codes instead of a prefix string and a map lookup.
   */
  readonly #asciiPairs = new Uint32Array(128 * 128);
  /** Prefixes whose first two characters are not both ASCII: positions like that are always looked up. */
  #otherPairs = 0;

  /** Makes the index hold exactly `values`: forms of new secrets added, those of dropped ones removed. */
  sync(values: readonly SecretValue[]): void {
    const current = new Set<string>();
    for (const secret of values) {
      // Very short values (e.g. low-entropy test tokens are still >= 8 chars) would redact ordinary words.
      if (secret.value.length < MIN_SECRET_LENGTH) continue;
      const key = keyOf(secret);
      current.add(key);
      if (!this.#secrets.has(key)) this.#add(key, secret);
    }
    if (current.size === this.#secrets.size) return;
    for (const key of [...this.#secrets.keys()]) if (!current.has(key)) this.#remove(key);
  }

  /** Adds one secret (ignored when shorter than {@link MIN_SECRET_LENGTH} or already held). */
  add(secret: SecretValue): void {
    if (secret.value.length < MIN_SECRET_LENGTH) return;
    const key = keyOf(secret);
    if (!this.#secrets.has(key)) this.#add(key, secret);
  }

  /** Removes one secret and the forms only it held (nothing happens when it is not held). */
  remove(secret: SecretValue): void {
    const key = keyOf(secret);
    if (this.#secrets.has(key)) this.#remove(key);
  }

  /** `text` with every form of every held secret replaced by its `redactionMark`. */
  apply(text: string): string {
    if (this.#byPrefix.size === 0 || text.length < PREFIX_LENGTH) return text;
    let out = '';
    let last = 0;
    for (let at = 0; at <= text.length - PREFIX_LENGTH;) {
      const c0 = text.charCodeAt(at);
      const c1 = text.charCodeAt(at + 1);
      if ((c0 | c1) < 128 ? this.#asciiPairs[(c0 << 7) | c1] === 0 : this.#otherPairs === 0) {
        at += 1;
        continue;
      }
      const hit = this.#byPrefix.get(text.slice(at, at + PREFIX_LENGTH))?.find(text, at);
      if (hit === undefined) {
        at += 1;
        continue;
      }
      out += text.slice(last, at) + redactionMark(hit.secret);
      at += hit.form.length;
      last = at;
    }
    return last === 0 ? text : out + text.slice(last);
  }

  #add(key: string, secret: SecretValue): void {
    const forms = formsOf(secret);
    this.#secrets.set(key, { secret, forms });
    for (const form of forms) {
      const owners = this.#owners.get(form) ?? 0;
      this.#owners.set(form, owners + 1);
      // The first secret to hold a form names it, as in a map of forms filled in order.
      if (owners > 0) continue;
      const prefix = form.slice(0, PREFIX_LENGTH);
      let group = this.#byPrefix.get(prefix);
      if (!group) {
        group = new FormGroup([]);
        this.#byPrefix.set(prefix, group);
        this.#countPair(prefix, 1);
      }
      group.add({ form, secret });
    }
  }

  #countPair(prefix: string, delta: 1 | -1): void {
    const c0 = prefix.charCodeAt(0);
    const c1 = prefix.charCodeAt(1);
    if ((c0 | c1) < 128) this.#asciiPairs[(c0 << 7) | c1] += delta;
    else this.#otherPairs += delta;
  }

  #remove(key: string): void {
    const held = this.#secrets.get(key)!;
    this.#secrets.delete(key);
    for (const form of held.forms) {
      const owners = this.#owners.get(form)! - 1;
      if (owners > 0) {
        this.#owners.set(form, owners);
        continue;
      }
      this.#owners.delete(form);
      const prefix = form.slice(0, PREFIX_LENGTH);
      const group = this.#byPrefix.get(prefix)!;
      group.remove(form);
      if (group.size === 0) {
        this.#byPrefix.delete(prefix);
        this.#countPair(prefix, -1);
      }
    }
  }
}

/**
 * A growing set of secrets and its redaction, each secret indexed as it is added. For
 * callers that learn secrets while they redact (the provider audit's book of what it saw).
 */
export class SecretSet {
  #values = new Set<string>();
  readonly #index = new RedactionIndex();

  /** Adds a secret; values shorter than `minLength` (default {@link MIN_SECRET_LENGTH}) are ignored. */
  add(secret: SecretValue, minLength = MIN_SECRET_LENGTH): void {
    if (secret.value.length < Math.max(minLength, MIN_SECRET_LENGTH) || this.#values.has(secret.value)) return;
    this.#values.add(secret.value);
    this.#index.add(secret);
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#values.size;
  }

  /** Replaces every known secret in `text` with its {@link redactionMark}. */
  redact = (text: string): string => {
    if (this.#values.size === 0 || !text) return text;
    return this.#index.apply(text);
  };
}
