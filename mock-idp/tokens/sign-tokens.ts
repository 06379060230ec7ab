import { constants, createHash, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { SignJWT, base64url, type JWTPayload } from 'jose';
import type { SigningKey } from '../keys/key-store.js';
import type { ProviderContext } from '../provider-context.js';
import type { FaultAt } from '../types.js';

/**
 * OIDC Core 3.1.3.6: `at_hash` is the base64url of the left half of the hash of the access token,
 * with the hash the ID token's `alg` uses.
 */
export function atHash(accessToken: string, alg: string): string {
  const bits = alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const digest = createHash(bits).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * The RSA algorithms signed with node:crypto directly (RFC 7518 3.3, 3.5): the same signature jose
 * computes through WebCrypto, without a WebCrypto job and a claims builder per token. PS* use a salt
 * as long as the hash, as WebCrypto does for JOSE.
 */
const NATIVE_RSA: Readonly<Record<string, { hash: string; pss: boolean }>> = {
  RS256: { hash: 'sha256', pss: false },
  RS384: { hash: 'sha384', pss: false },
  RS512: { hash: 'sha512', pss: false },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
};

/**
 * `crypto.sign` with a callback: the signature is computed on libuv's thread pool, so the event loop
 * serves other requests meanwhile and a busy provider signs on a second core (RSA signing is most of
 * a token response's CPU). The same bytes as the synchronous call.
 */
function signOffThread(hash: string, data: Buffer, key: SignKeyObjectInput | KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign(hash, data, key, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}

/**
 * Signs on the thread pool only while other requests are being answered or other clients are active
 * (then the event loop serves them meanwhile, and a second core signs). A lone client gains nothing
 * from it: handing the job over and back costs two thread wake-ups (about a quarter of an RSA-2048
 * signature in CPU, and on a busy machine far more in waiting for the threads to be scheduled), and
 * the event loop has nothing else to do meanwhile.
 *
 * A token response hands over twice (the ID token's `at_hash` needs the signed access token). A worker
 * thread that signed both in one hand-over was measured against this, with one worker and with two, in
 * paired rounds of the `idp` benchmark's load: no gain at concurrency 4 or 16 (0.92-1.03x the flows/s).
 */
function signRsa(
  ctx: ProviderContext,
  hash: string,
  data: Buffer,
  key: SignKeyObjectInput | KeyObject,
): Buffer | Promise<Buffer> {
  if (ctx.requestsInFlight > 1 || ctx.othersActive) return signOffThread(hash, data, key);
  return sign(hash, data, key);
}

/** Signs a JWT with the given key (the store's algorithm unless overridden). */
export async function signJwt(
  ctx: ProviderContext,
  payload: JWTPayload,
  opts: { key?: SigningKey; typ?: string; alg?: string; noKid?: boolean } = {},
): Promise<string> {
  const key = opts.key ?? ctx.keys.current;
  const alg = opts.alg ?? ctx.keys.alg;
  const typ = opts.typ ?? 'JWT';
  const header = opts.noKid ? { alg, typ } : { alg, kid: key.kid, typ };
  const native = NATIVE_RSA[alg];
  if (native && key.privateJwk.kty === 'RSA') {
    // JWS Compact Serialization (RFC 7515 7.1), header members in the order jose writes them.
    const input = `${headerSegment(header)}.${jsonSegment(payload)}`;
    const privateKey = ctx.keys.privateKeyObject(key);
    const keyOpts = native.pss
      ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : privateKey;
    const signature = await signRsa(ctx, native.hash, Buffer.from(input), keyOpts);
    return `${input}.${signature.toString('base64url')}`;
  }
  return new SignJWT(payload).setProtectedHeader(header).sign(await ctx.keys.privateKey(key, alg));
}

/** A second published key for a tag with `id-token.kid-absent` (several keys): published once per tag. */
async function extraKeyFor(ctx: ProviderContext, tag: string): Promise<void> {
  const marker = `kid-absent:${tag}`;
  if (ctx.tagKeys.has(marker)) return;
  ctx.tagKeys.set(marker, ctx.keys.publishNext());
  await ctx.tagKeys.get(marker);
}

/** The signing key for a tag with the `id-token.rotated-key` fault: published now, once per tag. */
function rotatedKeyFor(ctx: ProviderContext, tag: string): Promise<SigningKey> {
  let key = ctx.tagKeys.get(tag);
  if (!key) {
    key = ctx.keys.publishNext();
    ctx.tagKeys.set(tag, key);
  }
  return key;
}

/** Encoded JWS headers: a provider signs with a handful of (alg, kid, typ) combinations. */
const headerSegments = new Map<string, string>();
/** Keys published for faults (one per tag) add combinations; past this many the cache starts over. */
const MAX_HEADER_SEGMENTS = 256;

/** The encoded protected header, built once per combination. */
function headerSegment(header: { alg: string; kid?: string; typ: string }): string {
  const cacheKey = `${header.alg}|${header.kid ?? ''}|${header.typ}`;
  let segment = headerSegments.get(cacheKey);
  if (segment === undefined) {
    if (headerSegments.size >= MAX_HEADER_SEGMENTS) headerSegments.clear();
    segment = jsonSegment(header);
    headerSegments.set(cacheKey, segment);
  }
  return segment;
}

/** base64url of the UTF-8 JSON of `value` (a JWS header or payload segment). */
function jsonSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/**
 * Signs an ID token (OIDC Core 2), applying the tag's fault armed at the ID token, if any. The claims
 * faults change the payload before signing; the signature faults change how it is signed.
 */
export async function signIdToken(
  ctx: ProviderContext,
  claims: JWTPayload & { iat: number; exp: number },
  fault: FaultAt<'ID token'> | undefined,
  tag: string | undefined,
): Promise<string> {
  const payload: JWTPayload = { ...claims };
  switch (fault?.name) {
    case 'id-token.wrong-iss':
      payload.iss = 'https://issuer.invalid';
      break;
    case 'id-token.wrong-aud':
      payload.aud = 'another-client.invalid';
      break;
    case 'id-token.aud-missing':
      delete payload.aud;
      break;
    case 'id-token.wrong-nonce':
      payload.nonce = ctx.values.next('nonce', tag);
      break;
    case 'id-token.expired':
      payload.iat = claims.iat - 7200;
      payload.exp = claims.iat - 3600;
      if (typeof payload.auth_time === 'number') payload.auth_time = Math.min(payload.auth_time, claims.iat - 7200);
      break;
    case 'id-token.iat':
      if (fault.variant === 'missing') delete payload.iat;
      else {
        // A day ahead: far beyond any clock skew; exp stays an hour after it, so only iat is wrong.
        payload.iat = claims.iat + 86_400;
        payload.exp = payload.iat + (claims.exp - claims.iat);
      }
      break;
    case 'id-token.sub-missing':
      delete payload.sub;
      break;
    case 'id-token.azp':
      payload.aud = [String(claims.aud), 'another-client.invalid'];
      if (fault.variant === 'wrong') payload.azp = 'another-client.invalid';
      else delete payload.azp;
      break;
    case 'id-token.at-hash-wrong':
      payload.at_hash = atHash(`not-the-access-token|${tag ?? ''}`, ctx.keys.alg);
      break;
    case 'id-token.refresh-claims':
      // Applied by issueTokens only to ID tokens issued on a refresh.
      if (fault.claim === 'iss') payload.iss = 'https://issuer.invalid';
      else payload.sub = ctx.users.find((u) => u.sub !== claims.sub)?.sub ?? `${String(claims.sub)}-other`;
      break;
    default:
      break;
  }
  switch (fault?.name) {
    case 'id-token.alg-none':
      // RFC 7519 6.1: an Unsecured JWT has an empty signature part.
      return `${encodeSegment({ alg: fault.alg ?? 'none', typ: 'JWT' })}.${encodeSegment(payload)}.`;
    case 'id-token.bad-signature': {
      const token = await signJwt(ctx, payload);
      const [header, body, signature] = token.split('.');
      const bytes = Buffer.from(signature, 'base64url');
      for (let i = 0; i < bytes.length; i += 16) bytes[i] ^= 0x5a;
      return `${header}.${body}.${bytes.toString('base64url')}`;
    }
    case 'id-token.hs256-public-key': {
      // RFC 8725 3.1 algorithm confusion: HMAC keyed with the bytes of the RSA public key in PEM (SPKI).
      const key = ctx.keys.current;
      const secret = new TextEncoder().encode(await ctx.keys.publicPem(key));
      return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(secret);
    }
    case 'id-token.rotated-key':
      return signJwt(ctx, payload, { key: await rotatedKeyFor(ctx, tag ?? '') });
    case 'id-token.kid-absent':
      if (fault.jwks === 'one-key') return signJwt(ctx, payload, { noKid: true });
      await extraKeyFor(ctx, tag ?? '');
      return signJwt(ctx, payload, { key: await ctx.keys.foreignKey(), noKid: true });
    default:
      return signJwt(ctx, payload);
  }
}
