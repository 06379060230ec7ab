/**
 * Token endpoint checks: responses are not cached (RFC 6749 5.1), confidential clients must
 * authenticate (RFC 6749 3.2.1), and codes and tokens are unguessable (RFC 6749 10.10).
 */
import { defineProviderCheck } from '../define.js';
import { fail, pass, tokenData } from './verdicts.js';

export const tokenCacheControl = defineProviderCheck({
  id: 'provider.token.cache-control',
  title: 'Token responses are not cached',
  severity: 'medium',
  refs: ['RFC6749-5.1'],
  requirement: {
    text: 'The authorization server MUST include the HTTP "Cache-Control" response header field with a value of "no-store" in any response containing tokens, credentials, or other sensitive information.',
    level: 'MUST',
    ref: 'RFC6749-5.1',
  },
  must: 'token responses carry `Cache-Control: no-store`',
  rationale:
    'Token responses carry bearer credentials. Without `Cache-Control: no-store` (RFC 6749 5.1: MUST) a proxy or the user agent may keep a copy where others can read it.',
  remediation:
    'Send `Cache-Control: no-store` (and, for old HTTP/1.0 caches, `Pragma: no-cache`) on every token endpoint response.',
  catches: ['no-cache-control'],
  async run(ctx) {
    const client = ctx.client();
    const { tokens } = await client.login();
    const responses = [{ what: 'code redemption', headers: tokens.headers }];
    if (tokens.refreshToken) {
      const r = await client.refresh(tokens.refreshToken);
      if (r.ok) responses.push({ what: 'refresh', headers: r.headers });
    }
    const missing: string[] = [];
    for (const r of responses) {
      const cc = r.headers['cache-control'];
      ctx.observe(`${r.what} response: Cache-Control ${JSON.stringify(cc ?? null)}.`);
      if (!cc || !/(^|,)\s*no-store\s*(,|$)/i.test(cc)) missing.push(r.what);
    }
    if (missing.length) return fail(`Token responses without Cache-Control: no-store: ${missing.join(', ')}.`);
    return pass('Token responses carried Cache-Control: no-store.');
  },
});

export const tokenClientAuthRequired = defineProviderCheck({
  id: 'provider.token.client-auth-required',
  title: 'Confidential clients must authenticate at the token endpoint',
  severity: 'high',
  refs: ['RFC6749-3.2.1', 'RFC6749-4.1.3-1'],
  requirement: {
    text: 'The authorization server MUST require client authentication for confidential clients or for any client that was issued client credentials (or with other authentication requirements).',
    level: 'MUST',
    ref: 'RFC6749-4.1.3-1',
  },
  must: 'a confidential client without credentials is refused',
  rationale:
    "A confidential client's secret is what stops someone who obtained its code or refresh token from redeeming it. If the token endpoint accepts the client_id alone, the secret protects nothing.",
  remediation:
    'Require the registered authentication method for confidential clients and answer `invalid_client` (401) when credentials are missing or wrong.',
  needs: ['confidential-client'],
  catches: ['client-auth-not-required'],
  async run(ctx) {
    const confidential = ctx.clients.confidential;
    if (!confidential) throw new Error('no confidential client');
    const client = ctx.client(confidential);
    await client.login();
    ctx.observe(`Control: the confidential client (${confidential.authMethod}) redeemed a code with its credentials.`);
    const accepted: string[] = [];
    for (const auth of ['omit', 'wrong-secret'] as const) {
      const { pending, code } = await client.obtainCode();
      const t = await client.redeem(pending, code, { auth });
      ctx.observe(
        `Redeeming a code ${auth === 'omit' ? 'with client_id only (no secret)' : 'with a wrong secret'}: ${t.status}.`,
        tokenData(t),
      );
      if (t.ok) accepted.push(auth === 'omit' ? 'no credentials' : 'a wrong secret');
    }
    if (accepted.length)
      return fail(`The provider issued tokens to the confidential client with ${accepted.join(' and with ')}.`);
    return pass('Without credentials or with a wrong secret, the confidential client was refused.');
  },
});

/** Alphabet size of a set of samples, by the narrowest common character class. */
function alphabetSize(samples: string[]): number {
  const all = samples.join('');
  if (/^[0-9]*$/.test(all)) return 10;
  if (/^[0-9a-f]*$/.test(all) || /^[0-9A-F]*$/.test(all)) return 16;
  if (/^[0-9a-z]*$/.test(all) || /^[0-9A-Z]*$/.test(all)) return 36;
  if (/^[0-9A-Za-z]*$/.test(all)) return 62;
  if (/^[0-9A-Za-z_-]*$/.test(all) || /^[0-9A-Za-z+/=]*$/.test(all)) return 64;
  return Math.max(2, new Set(all).size);
}

/** True for a signed JWT (three parts, a header with a non-`none` alg): its signature makes it unforgeable. */
export function isSignedJwt(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 3 || !parts[2]) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' && header.alg.toLowerCase() !== 'none';
  } catch {
    return false;
  }
}

/**
 * Estimates the entropy of opaque values from several samples: the positions that vary between them,
 * times the bits per character of their alphabet. Sequential or mostly constant values score low even
 * when long; independent random values score about their length times log2(alphabet).
 */
export function estimateBits(samples: string[]): number {
  if (samples.length < 2) return 0;
  const min = Math.min(...samples.map((s) => s.length));
  const max = Math.max(...samples.map((s) => s.length));
  let varying = max - min;
  for (let i = 0; i < min; i++) {
    const c = samples[0][i];
    if (samples.some((s) => s[i] !== c)) varying++;
  }
  // Values that share a prefix but differ in a counter at the end vary in few positions.
  return Math.round(varying * Math.log2(alphabetSize(samples)));
}

const SAMPLES = 4;
const MIN_BITS = 128;

export const tokenEntropy = defineProviderCheck({
  id: 'provider.token.entropy',
  title: 'Codes and tokens are unguessable',
  severity: 'medium',
  refs: ['RFC6749-10.10', 'RFC9700-4.14'],
  requirement: {
    text: 'The probability of an attacker guessing generated tokens (and other credentials not intended for handling by end-users) MUST be less than or equal to 2^(-128) and SHOULD be less than or equal to 2^(-160).',
    level: 'MUST',
    ref: 'RFC6749-10.10',
  },
  must: 'codes and tokens are unguessable (>= 128 bits estimated)',
  rationale:
    'Codes, access tokens and refresh tokens are bearer credentials: whoever guesses one uses it. RFC 6749 10.10 requires that they cannot be guessed; 128 bits from a cryptographic random source is the usual floor.',
  remediation:
    'Generate codes and opaque tokens from a CSPRNG with at least 128 bits (e.g. 32 random bytes, base64url); never counters or timestamps.',
  catches: ['low-entropy-tokens'],
  async run(ctx) {
    const client = ctx.client();
    const values: Record<string, string[]> = { code: [], access_token: [], refresh_token: [] };
    for (let i = 0; i < SAMPLES; i++) {
      const { code, tokens } = await client.login();
      values.code.push(code);
      if (tokens.accessToken) values.access_token.push(tokens.accessToken);
      if (tokens.refreshToken) values.refresh_token.push(tokens.refreshToken);
    }
    const weak: string[] = [];
    for (const [kind, samples] of Object.entries(values)) {
      if (samples.length < 2) continue;
      if (samples.every(isSignedJwt)) {
        ctx.observe(`${kind}: signed JWTs; their signature, not randomness, makes them unforgeable.`);
        continue;
      }
      const bits = estimateBits(samples);
      ctx.observe(
        `${kind}: ${samples.length} samples, lengths ${samples.map((s) => s.length).join('/')}, about ${bits} bits estimated.`,
      );
      if (bits < MIN_BITS) weak.push(`${kind} (about ${bits} bits)`);
    }
    if (weak.length) return fail(`Guessable values: ${weak.join(', ')}; at least ${MIN_BITS} bits are needed.`);
    return pass(`Codes and opaque tokens carry at least ${MIN_BITS} bits by estimate.`);
  },
});
