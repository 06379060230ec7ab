import type { Fault, FaultName } from '../types.js';

/**
 * Faults armed per login tag. A fault only ever applies to requests (and artifacts) of its own tag, so
 * concurrent checks never see each other's faults. Untagged requests never see a fault.
 *
 * Where each fault is applied:
 *
 * | fault | point |
 * | --- | --- |
 * | `callback.state-altered` | authorization response: `state` replaced by a different value |
 * | `callback.state-missing` | authorization response: `state` left out |
 * | `callback.code-missing` | authorization response: `code` left out (`state` kept) |
 * | `callback.error` | authorization response: `error` / `error_description` (verbatim, may hold markup) instead of a code |
 * | `callback.iss-wrong` | authorization response: RFC 9207 `iss` set to another issuer |
 * | `callback.iss-missing` | authorization response: `iss` left out even when advertised |
 * | `authorize.reject-s256` | authorization endpoint: an S256 request is answered with `error=invalid_request`; `plain` is then accepted for the tag so a retry is observable |
 * | `token.invalid-grant` | token endpoint: every grant answered with `invalid_grant` |
 * | `token.malformed` | token endpoint: response without `access_token`, with `token_type` `"mac"`, or not JSON |
 * | `token.short-lived` | token endpoint: `expires_in` and the access token's JWT `exp` set to `expiresIn` seconds; the token stays accepted until `faults.expireAccessTokens(tag)` |
 * | `id-token.alg-none` | ID token unsigned, header `alg` as given (default `none`; casing variants such as `None`) |
 * | `id-token.bad-signature` | ID token signature bits flipped |
 * | `id-token.hs256-public-key` | ID token HS256, HMAC key = the provider's RSA public key in PEM (SPKI): algorithm confusion (RFC 8725 3.1) |
 * | `id-token.wrong-iss` / `wrong-aud` / `wrong-nonce` | that claim replaced by a foreign value |
 * | `id-token.expired` | `iat` two hours and `exp` one hour in the past |
 * | `id-token.rotated-key` | signed with a newly published key that appears in the JWKS only from that moment |
 * | `userinfo.wrong-sub` | userinfo answers with another `sub` than the ID token's |
 */
export class FaultRegistry {
  readonly #armed = new Map<string, Fault[]>();

  /** Arms `fault` for `tag` (a second fault of the same name replaces the first). */
  arm(tag: string, fault: Fault): void {
    const list = (this.#armed.get(tag) ?? []).filter((f) => f.name !== fault.name);
    list.push(fault);
    this.#armed.set(tag, list);
  }

  clear(tag: string): void {
    this.#armed.delete(tag);
  }

  /** The armed fault of that name for the tag, typed by name. */
  get<N extends FaultName>(tag: string | undefined, name: N): Extract<Fault, { name: N }> | undefined {
    if (tag === undefined) return undefined;
    return this.#armed.get(tag)?.find((f): f is Extract<Fault, { name: N }> => f.name === name);
  }

  /** The armed fault whose name starts with `prefix` (e.g. `id-token.`), if any. */
  withPrefix(tag: string | undefined, prefix: string): Fault | undefined {
    if (tag === undefined) return undefined;
    return this.#armed.get(tag)?.find((f) => f.name.startsWith(prefix));
  }
}
