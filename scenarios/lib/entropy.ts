/**
 * Estimates how guessable a client-generated value (state, PKCE verifier, nonce) is from a handful of
 * samples taken over several logins.
 *
 * The estimate is a number of bits; the bound it is held to belongs to the caller and the text that
 * governs the value (RFC 6749 §10.10's 2^-128 for the provider's tokens and codes, RFC 6749 §10.12 and
 * OIDC Core §3.1.2.1 "non-guessable" for state and nonce, RFC 7636 §4.1 and §7.1 for the PKCE verifier).
 * Length and uniqueness say nothing about guessability: `Date.now()` is unique and a 40-character
 * counter is long. So the estimate only credits what varies, and what varies like noise:
 *
 * 1. Values that are base64 or hex encodings of readable text are decoded and the text is analysed.
 * 2. Positions that hold the same character in every sample (prefixes, separators, version digits,
 *    the high digits of a timestamp) carry nothing.
 * 3. The alphabet is inferred from the characters at the varying positions (hex, base64url, ...), so a
 *    hex value is credited 4 bits per character, not 6.
 * 4. Substrings shared between samples at any offset (a fixed id, a repeated block) carry nothing.
 * 5. Values that are all numbers close to each other (counters, timestamps) are credited only the
 *    logarithm of the range they span.
 * 6. When the characters are far from evenly spread over the alphabet, the per-character credit drops
 *    to the (bias-corrected) Shannon entropy of their distribution.
 * 7. Hashes (MD5, SHA-1, SHA-256; hex or base64url) of small integers are recognised.
 *
 * Limitation: any deterministic transformation of a guessable input that is not in (7), such as a hash
 * of a timestamp or an HMAC of a counter under a key the harness does not know, looks exactly like
 * random data. No test on the outputs alone can tell them apart; code review must.
 */
import { hash } from 'node:crypto';

/** A named alphabet a value may be drawn from. */
export interface Alphabet {
  name: string;
  size: number;
}

/** What {@link estimateEntropy} found. */
export interface EntropyEstimate {
  samples: number;
  /** No value was seen twice. */
  unique: boolean;
  alphabet: Alphabet;
  /** Bits credited per varying character (≤ log2 of the alphabet size). */
  bitsPerChar: number;
  /** Estimated bits of the weakest sample, rounded down. */
  bits: number;
  /** Why the estimate is lower than length × log2(alphabet), in sentences. */
  findings: string[];
}

const ALPHABETS: Array<Alphabet & { re: RegExp }> = [
  { name: 'decimal', size: 10, re: /^[0-9]*$/ },
  { name: 'hex', size: 16, re: /^[0-9a-f]*$/ },
  { name: 'hex', size: 16, re: /^[0-9A-F]*$/ },
  { name: 'base36', size: 36, re: /^[0-9a-z]*$/ },
  { name: 'base36', size: 36, re: /^[0-9A-Z]*$/ },
  { name: 'alphanumeric', size: 62, re: /^[0-9A-Za-z]*$/ },
  { name: 'base64url', size: 64, re: /^[0-9A-Za-z_-]*$/ },
  { name: 'base64', size: 64, re: /^[0-9A-Za-z+/]*$/ },
  { name: 'unreserved', size: 66, re: /^[0-9A-Za-z._~-]*$/ },
  { name: 'printable ASCII', size: 95, re: /^[\x20-\x7e]*$/ },
];

/** The smallest known alphabet containing every character of `text`. */
export function inferAlphabet(text: string): Alphabet {
  for (const a of ALPHABETS) if (a.re.test(text)) return { name: a.name, size: a.size };
  return { name: 'unicode', size: Math.max(256, new Set(text).size) };
}

/**
 * Estimates the entropy of values drawn by one generator from two or more samples.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10
 */
export function estimateEntropy(samples: string[], depth = 0): EntropyEstimate {
  const findings: string[] = [];
  const unique = new Set(samples).size === samples.length;
  if (!unique) findings.push('The same value was produced more than once.');
  if (samples.length < 2) {
    const a = inferAlphabet(samples.join(''));
    findings.push('Fewer than two samples: only length and alphabet could be judged.');
    const bpc = Math.log2(a.size);
    return {
      samples: samples.length,
      unique,
      alphabet: a,
      bitsPerChar: bpc,
      bits: Math.floor(Math.min(...samples.map((s) => s.length), 0) * bpc),
      findings,
    };
  }

  // 1. Encoded text: judge what was encoded.
  if (depth < 2) {
    const decoded = decodeAsText(samples);
    if (decoded) {
      const inner = estimateEntropy(decoded.texts, depth + 1);
      return {
        ...inner,
        unique,
        findings: [
          ...(unique ? [] : ['The same value was produced more than once.']),
          `The values are ${decoded.encoding}-encoded text; the decoded text was analysed.`,
          ...inner.findings.filter((f) => !f.startsWith('The same value')),
        ],
      };
    }
  }

  // 7. Hashes of small counters.
  const hashed = hashOfSmallInteger(samples);
  if (hashed) {
    findings.push(`"${truncate(hashed.sample)}" is the ${hashed.algorithm} of the integer ${hashed.input}.`);
    return {
      samples: samples.length,
      unique,
      alphabet: inferAlphabet(samples.join('')),
      bitsPerChar: 0,
      bits: Math.floor(Math.log2(SMALL_INTEGER_LIMIT)),
      findings,
    };
  }

  // 2. Varying positions, aligned left and right (numbers of different lengths align right).
  const left = varyingPositions(samples, 'left');
  const right = varyingPositions(samples, 'right');
  const aligned = left.count <= right.count ? left : right;
  const minLength = Math.min(...samples.map((s) => s.length));
  const constant = minLength - aligned.count;
  if (constant > 0) findings.push(`${constant} of ${minLength} character positions are the same in every sample.`);

  // 3. Alphabet of what varies.
  const alphabet = inferAlphabet(aligned.chars.join(''));
  let bitsPerChar = Math.log2(alphabet.size);

  // 6. Distribution over the alphabet (only with enough characters to judge).
  const pooled = aligned.chars;
  if (pooled.length >= alphabet.size && alphabet.size > 1) {
    const h = shannonMillerMadow(pooled);
    if (h < 0.85 * bitsPerChar) {
      findings.push(
        `The characters are unevenly spread over the ${alphabet.name} alphabet (${h.toFixed(2)} of ${bitsPerChar.toFixed(2)} bits per character).`,
      );
      bitsPerChar = h;
    }
  }
  let bits = aligned.count * bitsPerChar;

  // 4. Substrings shared between samples at any offset.
  const novel = novelCharacters(samples, alphabet.size);
  if (novel.shared > 0) {
    findings.push(`Up to ${novel.shared} characters of a sample repeat a substring of another sample.`);
    bits = Math.min(bits, novel.min * bitsPerChar);
  }

  // 5. Numbers close together: counters and timestamps.
  const span = numericSpan(samples);
  if (span !== undefined) {
    const spanBits = log2BigInt(span + 1n) + 1;
    if (spanBits + 16 < bits) {
      findings.push(
        `The values are numbers within a range of ${span} of each other (a counter or a timestamp): about ${spanBits.toFixed(1)} bits.`,
      );
      bits = spanBits;
    }
  }

  return { samples: samples.length, unique, alphabet, bitsPerChar, bits: Math.floor(bits), findings };
}

function truncate(s: string): string {
  return s.length > 24 ? `${s.slice(0, 12)}…${s.slice(-6)}` : s;
}

function varyingPositions(samples: string[], align: 'left' | 'right'): { count: number; chars: string[] } {
  const len = Math.min(...samples.map((s) => s.length));
  let count = 0;
  const chars: string[] = [];
  for (let i = 0; i < len; i++) {
    const at = samples.map((s) => (align === 'left' ? s[i] : s[s.length - len + i]));
    if (at.some((c) => c !== at[0])) {
      count++;
      chars.push(...at);
    }
  }
  return { count, chars };
}

/** Shannon entropy of the character distribution with the Miller–Madow bias correction, in bits. */
function shannonMillerMadow(chars: string[]): number {
  const freq = new Map<string, number>();
  for (const c of chars) freq.set(c, (freq.get(c) ?? 0) + 1);
  const n = chars.length;
  let h = 0;
  for (const k of freq.values()) h -= (k / n) * Math.log2(k / n);
  return h + (freq.size - 1) / (2 * n * Math.LN2);
}

/**
 * How rarely random samples may be mistaken for sharing a substring: at most once in about a million
 * estimates. A fixed margin over the expected longest common substring is not enough: with five
 * 32-character hex values it was crossed by chance in about one estimate of 3,000.
 */
const CHANCE_SHARE_RATE = 2 ** -20;

/**
 * For every sample, how many of its characters are not covered by a substring it shares with another
 * sample that is longer than random strings would share by chance.
 *
 * Two random strings of lengths m and n over k characters share some substring of length L at about
 * m·n·k^-L pairs of offsets, so over P pairs of samples a length L with P·m·n·k^-L ≤ the allowed rate
 * is one that chance produces that rarely.
 */
function novelCharacters(samples: string[], alphabetSize: number): { min: number; shared: number } {
  let min = Infinity;
  let shared = 0;
  const pairs = (samples.length * (samples.length - 1)) / 2;
  const logK = Math.log(Math.max(2, alphabetSize));
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i].slice(0, 1024);
    const covered = new Uint8Array(s.length);
    for (let j = 0; j < samples.length; j++) {
      if (i === j) continue;
      const t = samples[j].slice(0, 1024);
      const threshold = Math.max(
        2,
        Math.ceil(Math.log((pairs * Math.max(2, s.length * t.length)) / CHANCE_SHARE_RATE) / logK),
      );
      for (const [start, length] of commonSubstrings(s, t, threshold)) covered.fill(1, start, start + length);
    }
    const c = covered.reduce((a, b) => a + b, 0);
    shared = Math.max(shared, c);
    min = Math.min(min, s.length - c);
  }
  return { min: min === Infinity ? 0 : min, shared };
}

/** Maximal common substrings of `s` and `t` at least `minLength` long: [start in s, length]. */
function commonSubstrings(s: string, t: string, minLength: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let prev = new Uint16Array(t.length + 1);
  let cur = new Uint16Array(t.length + 1);
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      cur[j] = s[i - 1] === t[j - 1] ? prev[j - 1] + 1 : 0;
      // A run ends when the next pair differs (or at an edge): record it once.
      const ends = i === s.length || j === t.length || s[i] !== t[j];
      if (ends && cur[j] >= minLength) out.push([i - cur[j], cur[j]]);
    }
    [prev, cur] = [cur, prev];
    cur.fill(0);
  }
  return out;
}

function log2BigInt(v: bigint): number {
  const bits = v.toString(2).length;
  // Exact enough: the top 52 bits as a float, scaled by the rest.
  if (bits <= 52) return Math.log2(Number(v));
  return Math.log2(Number(v >> BigInt(bits - 52))) + (bits - 52);
}

/** Max − min when every sample is a decimal number, or every sample a hex number of one length. */
function numericSpan(samples: string[]): bigint | undefined {
  let values: bigint[] | undefined;
  if (samples.every((s) => /^[0-9]{1,60}$/.test(s))) values = samples.map((s) => BigInt(s));
  else if (samples.every((s) => /^[0-9a-fA-F]{1,48}$/.test(s) && s.length === samples[0].length)) {
    values = samples.map((s) => BigInt(`0x${s}`));
  }
  if (!values) return undefined;
  let lo = values[0];
  let hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

/** Decodes every sample as base64(url) or hex when all decode to mostly printable text. */
function decodeAsText(samples: string[]): { encoding: string; texts: string[] } | undefined {
  const attempts: Array<{ encoding: string; test: RegExp; decode: (s: string) => Buffer }> = [
    { encoding: 'hex', test: /^(?:[0-9a-fA-F]{2}){2,}$/, decode: (s) => Buffer.from(s, 'hex') },
    { encoding: 'base64url', test: /^[A-Za-z0-9_-]{4,}$/, decode: (s) => Buffer.from(s, 'base64url') },
    { encoding: 'base64', test: /^[A-Za-z0-9+/]{4,}={0,2}$/, decode: (s) => Buffer.from(s, 'base64') },
  ];
  attempt: for (const a of attempts) {
    if (!samples.every((s) => a.test.test(s))) continue;
    const texts: string[] = [];
    for (const s of samples) {
      const bytes = a.decode(s);
      const printable = bytes.filter((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09).length;
      if (bytes.length < 3 || printable < 0.95 * bytes.length) continue attempt;
      texts.push(bytes.toString('latin1'));
    }
    return { encoding: a.encoding, texts };
  }
  return undefined;
}

const SMALL_INTEGER_LIMIT = 10_000;

/** Which digest and encoding a value of each length can be: hex or base64url (no padding) of md5, sha1, sha256. */
const DIGEST_FORMS: ReadonlyMap<number, { algorithm: string; encoding: 'hex' | 'base64url' }> = new Map([
  [32, { algorithm: 'md5', encoding: 'hex' }],
  [40, { algorithm: 'sha1', encoding: 'hex' }],
  [64, { algorithm: 'sha256', encoding: 'hex' }],
  [22, { algorithm: 'md5', encoding: 'base64url' }],
  [27, { algorithm: 'sha1', encoding: 'base64url' }],
  [43, { algorithm: 'sha256', encoding: 'base64url' }],
]);

/** Digest of each small integer, by length of the encoded digest; built for a length when first needed. */
const hashTables = new Map<number, Map<string, number>>();

function hashTableFor(length: number): Map<string, number> | undefined {
  const form = DIGEST_FORMS.get(length);
  if (!form) return undefined;
  let table = hashTables.get(length);
  if (!table) {
    table = new Map();
    // The one-shot digest: a third of the cost of a Hash object per input, and this is 10,000 inputs.
    for (let i = 0; i < SMALL_INTEGER_LIMIT; i++) table.set(hash(form.algorithm, String(i), form.encoding), i);
    hashTables.set(length, table);
  }
  return table;
}

function hashOfSmallInteger(samples: string[]): { sample: string; algorithm: string; input: number } | undefined {
  for (const s of samples) {
    const table = hashTableFor(s.length);
    if (!table) continue;
    const input = table.get(/^[0-9A-F]+$/.test(s) ? s.toLowerCase() : s);
    if (input !== undefined) return { sample: s, algorithm: DIGEST_FORMS.get(s.length)!.algorithm, input };
  }
  return undefined;
}
