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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
 * Compiles the redaction of `values` once (one pattern over every form of every secret), for callers that
 * redact many texts against the same secrets. `redactSecrets(text, values)` is `compileRedaction(values)(text)`.
 */
export function compileRedaction(values: readonly SecretValue[]): (text: string) => string {
  const forms = new Map<string, SecretValue>();
  for (const secret of values) {
    // Very short values (e.g. low-entropy test tokens are still >= 8 chars) would redact ordinary words.
    if (secret.value.length < MIN_SECRET_LENGTH) continue;
    const formEncode = (text: string): string => new URLSearchParams({ v: text }).toString().slice(2);
    const variants = [secret.value, encodeURIComponent(secret.value), formEncode(secret.value)];
    if (secret.kind === 'client_secret' && secret.clientId !== undefined) {
      // RFC 6749 2.3.1 Basic credentials, as specified (form-encoded first) and as commonly sent (raw).
      for (const pair of [
        `${formEncode(secret.clientId)}:${formEncode(secret.value)}`,
        `${secret.clientId}:${secret.value}`,
      ]) {
        variants.push(Buffer.from(pair).toString('base64'));
      }
    }
    for (const variant of variants) if (!forms.has(variant)) forms.set(variant, secret);
  }
  if (forms.size === 0) return (text) => text;
  // One pattern over every form would be recompiled each time a secret is issued, and JWTs make it
  // long; instead a short pattern finds where a form may start (its first characters, which many
  // tokens share), and the forms with that start are tried there, longest first. Same result as
  // the alternation of every form, longest first: leftmost match, the longest form at that position.
  const byPrefix = new Map<string, string[]>();
  for (const form of forms.keys()) {
    const prefix = form.slice(0, PREFIX_LENGTH);
    const list = byPrefix.get(prefix);
    if (list) list.push(form);
    else byPrefix.set(prefix, [form]);
  }
  for (const list of byPrefix.values()) list.sort((a, b) => b.length - a.length);
  const starts = new RegExp([...byPrefix.keys()].map(escapeRegExp).join('|'), 'g');
  return (text) => {
    starts.lastIndex = 0;
    let out = '';
    let last = 0;
    for (let m = starts.exec(text); m !== null; m = starts.exec(text)) {
      const at = m.index;
      const form = byPrefix.get(m[0])!.find((f) => text.startsWith(f, at));
      if (form === undefined) {
        starts.lastIndex = at + 1;
        continue;
      }
      out += text.slice(last, at) + redactionMark(forms.get(form)!);
      last = at + form.length;
      starts.lastIndex = last;
    }
    return last === 0 ? text : out + text.slice(last);
  };
}

/**
 * A growing set of secrets and its redaction, compiled again only after a secret was added. For
 * callers that learn secrets while they redact (the provider audit's book of what it saw).
 */
export class SecretSet {
  #values = new Map<string, SecretValue>();
  #compiled: ((text: string) => string) | undefined;

  /** Adds a secret; values shorter than `minLength` (default {@link MIN_SECRET_LENGTH}) are ignored. */
  add(secret: SecretValue, minLength = MIN_SECRET_LENGTH): void {
    if (secret.value.length < Math.max(minLength, MIN_SECRET_LENGTH) || this.#values.has(secret.value)) return;
    this.#values.set(secret.value, secret);
    this.#compiled = undefined;
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#values.size;
  }

  /** Replaces every known secret in `text` with its {@link redactionMark}. */
  redact = (text: string): string => {
    if (this.#values.size === 0 || !text) return text;
    this.#compiled ??= compileRedaction([...this.#values.values()]);
    return this.#compiled(text);
  };
}
