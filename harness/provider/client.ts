/**
 * The harness as a correct OAuth 2.0 / OpenID Connect client of the provider under audit. It builds
 * authorization requests (PKCE S256, state, nonce; RFC 9700 2.1, RFC 7636 4), lets the person step
 * visit them, redeems codes, refreshes, calls userinfo and the API, revokes; every exchange is recorded
 * (agent `harness`). Checks splice one deviation into this otherwise correct flow through the options
 * of each call.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { LoginHarnessError } from '../../core/errors.js';
import type { ClientAuthMethod } from '../../mock-idp/types.js';
import { httpFetch, type HttpResponse } from '../agents/http-fetch.js';
import type { Recorder, SecretBook } from './evidence.js';
import type { ProviderInfo } from './metadata.js';
import type { AuthorizeResult, PersonStep } from './person.js';

export type { ProviderInfo } from './metadata.js';
export type { AuthorizeResult } from './person.js';

/** A client registered at the provider under audit. */
export interface RegisteredClient {
  /** Role in the audit, for observations (`primary`, `second`, `confidential`). */
  label: string;
  id: string;
  /** Omit for a public client. */
  secret?: string;
  authMethod: ClientAuthMethod;
  redirectUri: string;
  /** A second redirect URI registered for the same client (makes the redirect binding check unambiguous). */
  alternateRedirectUri?: string;
  /** `private_key_jwt`: the private key (JWK with `alg`) the client signs its assertions with. */
  privateJwk?: JWK;
}

/** RFC 7523 2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * One deviation in a `private_key_jwt` assertion: `aud` replaced, `exp` (and `iat`) moved, a fixed `jti`
 * (to replay one), `alg: none` (unsigned), or an assertion sent verbatim (`raw`).
 */
export interface AssertionOptions {
  aud?: string;
  /** Seconds from now (negative: already expired). Default 60. */
  expiresIn?: number;
  /** Seconds from now for `iat`. Default 0. */
  issuedAt?: number;
  jti?: string;
  unsigned?: boolean;
  raw?: string;
}

/** True for a client that authenticates with a secret (RFC 6749 2.1 confidential). */
export function isConfidential(c: RegisteredClient): boolean {
  return c.authMethod !== 'none';
}

/** PKCE verifier: 32 random octets, base64url (43 characters; RFC 7636 4.1). */
export function newVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** S256 challenge of a verifier (RFC 7636 4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A DPoP key pair (RFC 9449): ES256, the private key never leaves the harness. */
export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** JWK SHA-256 thumbprint (RFC 7638), as `cnf.jkt` names it. */
  jkt: string;
}

/** A fresh ES256 DPoP key. */
export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

/** A DPoP proof JWT (RFC 9449 4.2) for one request; `ath` when an access token is presented. */
export async function dpopProof(
  key: DpopKey,
  htm: string,
  htu: string,
  opts: { accessToken?: string; nonce?: string; jti?: string; iat?: number } = {},
): Promise<string> {
  const url = new URL(htu);
  url.search = '';
  url.hash = '';
  const claims: Record<string, unknown> = {
    htm,
    htu: url.href,
    jti: opts.jti ?? randomBytes(16).toString('base64url'),
    iat: opts.iat ?? Math.floor(Date.now() / 1000),
  };
  if (opts.accessToken !== undefined) {
    claims.ath = createHash('sha256').update(opts.accessToken, 'ascii').digest('base64url');
  }
  if (opts.nonce !== undefined) claims.nonce = opts.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk })
    .sign(key.privateKey);
}

/** Options of one authorization request; anything unset is what a correct client sends. */
export interface AuthorizationOptions {
  /** PKCE method: `S256` (default), `plain`, or `none` (no challenge at all). */
  pkce?: 'S256' | 'plain' | 'none';
  /** Verifier to derive the challenge from (default: a fresh random one). */
  verifier?: string;
  scope?: string;
  redirectUri?: string;
  responseType?: string;
  /** Additional or replaced parameters; `undefined` removes a parameter. */
  extra?: Record<string, string | undefined>;
  /**
   * Push the request to the PAR endpoint first (RFC 9126) and send only `client_id` and `request_uri`
   * through the browser. Default: when the provider requires it (`require_pushed_authorization_requests`).
   */
  par?: boolean;
}

/** An authorization request as sent, with the secrets the client keeps for the token request. */
export interface PendingAuthorization {
  url: string;
  params: Record<string, string>;
  client: RegisteredClient;
  redirectUri: string;
  state: string;
  nonce?: string;
  verifier?: string;
  challenge?: string;
  /** Set when the request goes through the PAR endpoint (pushed when the person visits it). */
  par?: boolean;
  /** The `request_uri` the PAR endpoint answered, once pushed. */
  requestUri?: string;
}

/** A token endpoint answer, parsed where it is JSON. */
export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json?: Record<string, unknown>;
  /** True when the answer is a successful token response (RFC 6749 5.1: 200 with `access_token`). */
  ok: boolean;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  error?: string;
  /** `token_type` of a successful answer (`Bearer`, or `DPoP` for a DPoP-bound token). */
  tokenType?: string;
  /** The client assertion the request carried (`private_key_jwt`), to replay it. */
  assertion?: string;
}

/** How a token request authenticates the client. */
export type ClientAuthMode =
  /** As registered (RFC 6749 2.3.1 / OIDC Core 9). */
  | 'registered'
  /** Only `client_id` in the body, no secret (a confidential client "forgetting" its credentials). */
  | 'omit'
  /** The registered method with a wrong secret. */
  | 'wrong-secret';

/** Options of a token request. */
export interface TokenRequestOptions {
  client?: RegisteredClient;
  auth?: ClientAuthMode;
  /** `private_key_jwt` clients: how the assertion deviates (default: a correct one). */
  assertion?: AssertionOptions;
  /** Extra query on the token endpoint URL (never used by a correct client). */
  query?: Record<string, string>;
  /**
   * DPoP (RFC 9449 5): `true` proves this client's key, a key proves that one, `false` sends no proof;
   * a string is sent as the `DPoP` header verbatim (a replayed proof). Default: the audit's setting.
   */
  dpop?: boolean | DpopKey | string;
}

/** Overrides for a code redemption: `null` omits a parameter, a string replaces it. */
export interface RedeemOptions extends TokenRequestOptions {
  verifier?: string | null;
  redirectUri?: string | null;
}

/** Thrown when the otherwise correct part of a flow fails, so the check cannot observe its deviation. */
export class FlowError extends LoginHarnessError<'flow'> {
  readonly errorKind = 'target' as const;
  constructor(message: string) {
    super('flow', message);
  }
}

/** The observed result of a login that got as far as a code. */
export interface CodeResult {
  pending: PendingAuthorization;
  result: AuthorizeResult;
  code: string;
}

/** The observed result of a complete login. */
export interface LoginResult extends CodeResult {
  tokens: TokenResponse;
}

/** Dependencies of a {@link ProviderClient}. */
export interface ProviderClientDeps {
  provider: ProviderInfo;
  client: RegisteredClient;
  person: PersonStep;
  recorder: Recorder;
  secrets: SecretBook;
  signal: AbortSignal;
  /** Scopes a correct client requests (space-separated). */
  scope: string;
  /** Extra authorization parameters a correct client sends to this provider (e.g. `prompt=consent`). */
  authorizationParams?: Record<string, string>;
  /** Every token request carries a DPoP proof of this client's key unless a call says otherwise. */
  dpop?: boolean;
}

/** How a resource call presents its token and proof (RFC 6750 2, RFC 9449 7.1). */
export interface ResourceDpopOptions {
  /** The key to prove (default: the key the token is bound to, else this client's). */
  key?: DpopKey;
  /** A `DPoP` header to send verbatim (a replayed proof), or null to send none. */
  proof?: string | null;
}

/** Form-urlencodes for HTTP Basic as RFC 6749 2.3.1 requires before base64. */
function basic(id: string, secret: string): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** A correct client of one registered client id, recording every exchange. */
export class ProviderClient {
  constructor(readonly deps: ProviderClientDeps) {}

  #dpopKey: Promise<DpopKey> | undefined;
  /** The last `DPoP-Nonce` the token endpoint handed out (RFC 9449 8). */
  #dpopNonce: string | undefined;
  /** The last `DPoP-Nonce` a resource server handed out (RFC 9449 9). */
  #resourceNonce: string | undefined;
  /** Access tokens issued DPoP-bound, with the key they are bound to. */
  readonly #bound = new Map<string, DpopKey>();

  /** This client's DPoP key (one per client flow, as one per session for a real client). */
  dpopKey(): Promise<DpopKey> {
    this.#dpopKey ??= newDpopKey();
    return this.#dpopKey;
  }

  /** The key an access token was issued bound to, when this client obtained it DPoP-bound. */
  boundKey(accessToken: string): DpopKey | undefined {
    return this.#bound.get(accessToken);
  }

  get client(): RegisteredClient {
    return this.deps.client;
  }

  get metadata(): ProviderInfo['metadata'] {
    return this.deps.provider.metadata;
  }

  /** Builds an authorization request (RFC 6749 4.1.1 with RFC 7636 4.3 and OIDC Core 3.1.2.1). */
  authorizationRequest(opts: AuthorizationOptions = {}): PendingAuthorization {
    const client = this.deps.client;
    const pkce = opts.pkce ?? 'S256';
    const redirectUri = opts.redirectUri ?? client.redirectUri;
    const scope = opts.scope ?? this.deps.scope;
    const state = randomBytes(16).toString('base64url');
    const params: Record<string, string> = {
      response_type: opts.responseType ?? 'code',
      client_id: client.id,
      redirect_uri: redirectUri,
      scope,
      state,
      ...this.deps.authorizationParams,
    };
    let nonce: string | undefined;
    if (scope.split(' ').includes('openid')) {
      nonce = randomBytes(16).toString('base64url');
      params.nonce = nonce;
    }
    let verifier: string | undefined;
    let challenge: string | undefined;
    if (pkce !== 'none') {
      verifier = opts.verifier ?? newVerifier();
      challenge = pkce === 'S256' ? s256(verifier) : verifier;
      params.code_challenge = challenge;
      params.code_challenge_method = pkce;
    }
    for (const [k, v] of Object.entries(opts.extra ?? {})) {
      if (v === undefined) delete params[k];
      else params[k] = v;
    }
    const url = new URL(this.metadata.authorization_endpoint);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const par =
      opts.par ??
      (this.metadata.require_pushed_authorization_requests === true &&
        this.metadata.pushed_authorization_request_endpoint !== undefined);
    return {
      url: url.href,
      params,
      client,
      redirectUri,
      state: params.state ?? state,
      nonce,
      verifier,
      challenge,
      ...(par ? { par: true } : {}),
    };
  }

  /**
   * Pushes the request's parameters to the PAR endpoint (RFC 9126 2.1), authenticated as the client
   * registered (or as `client`), and on success points `pending.url` at the authorization endpoint with
   * only `client_id` and `request_uri` (RFC 9126 4).
   */
  async push(pending: PendingAuthorization, client: RegisteredClient = pending.client): Promise<TokenResponse> {
    const endpoint = this.metadata.pushed_authorization_request_endpoint;
    if (!endpoint) throw new FlowError('the provider advertises no pushed_authorization_request_endpoint');
    const answer = await this.post(endpoint, pending.params, client, 'push the authorization request');
    const requestUri = typeof answer.json?.request_uri === 'string' ? answer.json.request_uri : undefined;
    if (answer.status === 201 && requestUri) {
      pending.requestUri = requestUri;
      const url = new URL(this.metadata.authorization_endpoint);
      url.searchParams.set('client_id', pending.params.client_id ?? client.id);
      url.searchParams.set('request_uri', requestUri);
      pending.url = url.href;
    }
    return answer;
  }

  /** The front-channel URL of a pushed request for `requestUri`, as `clientId` would send it. */
  requestUriUrl(requestUri: string, clientId: string): string {
    const url = new URL(this.metadata.authorization_endpoint);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('request_uri', requestUri);
    return url.href;
  }

  /** Lets the person visit the request; returns where the provider sent them. */
  async authorize(pending: PendingAuthorization): Promise<AuthorizeResult> {
    if (pending.par && pending.requestUri === undefined) {
      const pushed = await this.push(pending);
      // The PAR endpoint refused the request: to the person that is a refusal without any redirect,
      // which is what an error page is (RFC 9126 2.3 answers errors to the client, never to the browser).
      if (!pending.requestUri) {
        return {
          kind: 'page',
          status: pushed.status,
          contentType: pushed.headers['content-type'] ?? '',
          body: pushed.body,
          url: this.metadata.pushed_authorization_request_endpoint ?? '',
        };
      }
    }
    const result = await this.deps.person.visit(
      pending.url,
      { redirectUri: pending.redirectUri, state: pending.params.state },
      this.deps.recorder,
      this.deps.signal,
    );
    if (result.kind === 'redirect') this.deps.secrets.add(result.query.code ?? result.fragment.code, 'code');
    if (result.kind === 'redirect') {
      this.deps.secrets.add(result.fragment.access_token ?? result.query.access_token, 'access_token');
      this.deps.secrets.add(result.fragment.id_token ?? result.query.id_token, 'id_token');
    }
    return result;
  }

  /** An authorization request plus the person's visit; throws {@link FlowError} when no code comes back. */
  async obtainCode(opts: AuthorizationOptions = {}): Promise<CodeResult> {
    const pending = this.authorizationRequest(opts);
    const result = await this.authorize(pending);
    if (result.kind !== 'redirect' || !result.query.code) {
      const hint =
        result.kind === 'page' && result.status === 200
          ? '; if that is a login page, the login method cannot sign in: use playwright or manual'
          : '';
      throw new FlowError(`a correct authorization request got no code (${describeAuthorize(result)}${hint})`);
    }
    return { pending, result, code: result.query.code };
  }

  /** A complete correct login (code + token request); throws {@link FlowError} when it does not succeed. */
  async login(opts: AuthorizationOptions = {}): Promise<LoginResult> {
    const got = await this.obtainCode(opts);
    const tokens = await this.redeem(got.pending, got.code);
    if (!tokens.ok) throw new FlowError(`a correct token request was refused (${describeToken(tokens)})`);
    return { ...got, tokens };
  }

  /** Redeems a code (RFC 6749 4.1.3, RFC 7636 4.5); overrides splice in a deviation. */
  redeem(pending: PendingAuthorization, code: string, opts: RedeemOptions = {}): Promise<TokenResponse> {
    const params: Record<string, string> = { grant_type: 'authorization_code', code };
    const redirectUri = opts.redirectUri === undefined ? pending.redirectUri : opts.redirectUri;
    if (redirectUri !== null) params.redirect_uri = redirectUri;
    const verifier = opts.verifier === undefined ? pending.verifier : opts.verifier;
    if (verifier !== null && verifier !== undefined) params.code_verifier = verifier;
    return this.tokenRequest(params, opts, 'redeem the code');
  }

  /** Refreshes (RFC 6749 6). */
  refresh(refreshToken: string, opts: TokenRequestOptions & { scope?: string } = {}): Promise<TokenResponse> {
    const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
    if (opts.scope) params.scope = opts.scope;
    return this.tokenRequest(params, opts, 'refresh');
  }

  /** A token request with the given grant parameters, authenticated as `opts.auth` says. */
  async tokenRequest(
    grant: Record<string, string>,
    opts: TokenRequestOptions = {},
    note = 'token request',
  ): Promise<TokenResponse> {
    const client = opts.client ?? this.deps.client;
    const auth = opts.auth ?? 'registered';
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const body = new URLSearchParams(grant);
    const secret = auth === 'wrong-secret' ? `${client.secret ?? 'none'}-wrong` : client.secret;
    let assertion: string | undefined;
    if (client.authMethod === 'private_key_jwt' && auth !== 'omit') {
      assertion = await this.clientAssertion(client, opts.assertion);
      body.set('client_id', client.id);
      body.set('client_assertion_type', JWT_BEARER);
      body.set('client_assertion', assertion);
      this.deps.secrets.add(assertion, 'client_assertion');
    } else if (auth === 'omit' || client.authMethod === 'none' || !secret) {
      body.set('client_id', client.id);
    } else if (client.authMethod === 'client_secret_basic') {
      headers.authorization = basic(client.id, secret);
    } else {
      body.set('client_id', client.id);
      body.set('client_secret', secret);
    }
    const url = new URL(this.metadata.token_endpoint);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const dpop = opts.dpop ?? this.deps.dpop ?? false;
    const key = dpop === true ? await this.dpopKey() : typeof dpop === 'object' ? dpop : undefined;
    const send = async (): Promise<HttpResponse> => {
      if (typeof dpop === 'string') headers.dpop = dpop;
      else if (key) {
        headers.dpop = await dpopProof(key, 'POST', this.metadata.token_endpoint, {
          ...(this.#dpopNonce !== undefined ? { nonce: this.#dpopNonce } : {}),
        });
      }
      return httpFetch(url, { method: 'POST', headers, body: body.toString(), signal: this.deps.signal });
    };
    let res = await send();
    // RFC 9449 8: a server that demands a nonce answers use_dpop_nonce with one; retry once with it.
    const nonce = res.headers.get('dpop-nonce');
    if (nonce !== null) this.#dpopNonce = nonce;
    if (key && res.status === 400 && nonce !== null && /"use_dpop_nonce"/.test(res.body)) {
      this.deps.recorder.record({
        method: 'POST',
        url: url.href,
        requestHeaders: { ...headers },
        requestBody: body.toString(),
        status: res.status,
        responseHeaders: res.headers.record,
        responseBody: res.body,
        note: `${note} as ${client.label} client: the provider asks for a DPoP nonce`,
      });
      res = await send();
      const next = res.headers.get('dpop-nonce');
      if (next !== null) this.#dpopNonce = next;
    }
    const tokens = parseTokenResponse(res.status, res.headers.record, res.body);
    if (key && tokens.accessToken && tokens.tokenType?.toLowerCase() === 'dpop')
      this.#bound.set(tokens.accessToken, key);
    this.deps.secrets.add(tokens.accessToken, 'access_token');
    this.deps.secrets.add(tokens.refreshToken, 'refresh_token');
    this.deps.secrets.add(tokens.idToken, 'id_token');
    if (assertion !== undefined) tokens.assertion = assertion;
    this.deps.recorder.record({
      method: 'POST',
      url: url.href,
      requestHeaders: headers,
      requestBody: body.toString(),
      status: res.status,
      responseHeaders: tokens.headers,
      responseBody: res.body,
      note: `${note} as ${client.label} client${auth === 'registered' ? '' : ` (${auth})`}`,
    });
    return tokens;
  }

  /**
   * A `private_key_jwt` client assertion (RFC 7523 3, OIDC Core 9): `iss` and `sub` the client id, `aud`
   * the issuer, `exp` a minute away, a fresh `jti`, signed with the client's key; `opts` splices in one
   * deviation.
   */
  async clientAssertion(client: RegisteredClient, opts: AssertionOptions = {}): Promise<string> {
    if (opts.raw !== undefined) return opts.raw;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: client.id,
      sub: client.id,
      aud: opts.aud ?? this.deps.provider.issuer,
      iat: now + (opts.issuedAt ?? 0),
      exp: now + (opts.expiresIn ?? 60),
      jti: opts.jti ?? randomBytes(16).toString('base64url'),
    };
    if (opts.unsigned) {
      const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
    }
    const jwk = client.privateJwk;
    if (!jwk?.alg) throw new FlowError(`the ${client.label} client has no private key (with alg) to sign with`);
    const key = await importJWK(jwk, jwk.alg);
    return new SignJWT(claims).setProtectedHeader({ alg: jwk.alg, ...(jwk.kid ? { kid: jwk.kid } : {}) }).sign(key);
  }

  /** Calls a protected resource with a bearer token: in the header (RFC 6750 2.1) or the query (2.3). */
  async callResource(
    url: string,
    token: string,
    how: 'header' | 'query' | 'bearer' | 'dpop' = 'header',
    note = 'call the protected resource',
    dpop: ResourceDpopOptions = {},
  ): Promise<{ status: number; body: string; headers: Record<string, string>; proof?: string }> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'application/json' };
    // `header` is what a correct client sends: the DPoP scheme with a proof for a DPoP-bound token
    // (RFC 9449 7.1), Bearer otherwise (RFC 6750 2.1). `bearer` and `dpop` force one scheme.
    const bound = this.#bound.get(token);
    const scheme = how === 'dpop' || (how === 'header' && bound) ? 'DPoP' : how === 'query' ? undefined : 'Bearer';
    const key = dpop.key ?? bound;
    const ownProof = scheme === 'DPoP' && dpop.proof === undefined;
    const sign = async (): Promise<string> =>
      dpopProof(key ?? (await this.dpopKey()), 'GET', target.href, {
        accessToken: token,
        ...(this.#resourceNonce !== undefined ? { nonce: this.#resourceNonce } : {}),
      });
    if (scheme === 'Bearer') headers.authorization = `Bearer ${token}`;
    else if (scheme === 'DPoP') {
      headers.authorization = `DPoP ${token}`;
      if (typeof dpop.proof === 'string') headers.dpop = dpop.proof;
      else if (dpop.proof !== null) headers.dpop = await sign();
    } else target.searchParams.set('access_token', token);
    const send = async (): Promise<HttpResponse> => {
      const res = await httpFetch(target, { headers, signal: this.deps.signal });
      this.deps.recorder.record({
        method: 'GET',
        url: target.href,
        requestHeaders: { ...headers },
        status: res.status,
        responseHeaders: res.headers.record,
        responseBody: res.body,
        note: `${note} (${scheme ? `${scheme} scheme` : 'token in the query'})`,
      });
      return res;
    };
    let res = await send();
    // RFC 9449 9: a resource server that demands a nonce answers 401 use_dpop_nonce with one; a proof
    // this client built is signed again with it, once.
    const nonce = res.headers.get('dpop-nonce');
    if (nonce !== null && ownProof) this.#resourceNonce = nonce;
    if (
      ownProof &&
      res.status === 401 &&
      nonce !== null &&
      /error="use_dpop_nonce"/.test(res.headers.get('www-authenticate') ?? '')
    ) {
      headers.dpop = await sign();
      res = await send();
      const next = res.headers.get('dpop-nonce');
      if (next !== null) this.#resourceNonce = next;
    }
    return {
      status: res.status,
      body: res.body,
      headers: res.headers.record,
      ...(headers.dpop !== undefined ? { proof: headers.dpop } : {}),
    };
  }

  /**
   * Whether an access token is still accepted, asked of the API, else userinfo, else introspection
   * (RFC 7662, confidential client). Undefined when the provider offers no way to tell.
   */
  async accessTokenActive(token: string, confidential?: RegisteredClient): Promise<boolean | undefined> {
    const resource = this.deps.provider.apiUrl ?? this.metadata.userinfo_endpoint;
    if (resource) {
      const r = await this.callResource(resource, token, 'header', 'is the access token still accepted?');
      if (r.status === 200) return true;
      if (r.status === 401) return false;
    }
    if (this.metadata.introspection_endpoint && confidential) {
      const r = await this.post(
        this.metadata.introspection_endpoint,
        { token },
        confidential,
        'introspect the access token',
      );
      const active = (r.json as { active?: unknown } | undefined)?.active;
      if (typeof active === 'boolean') return active;
    }
    return undefined;
  }

  /** Revokes a token (RFC 7009 2.1). */
  revoke(token: string, hint?: 'access_token' | 'refresh_token', client?: RegisteredClient): Promise<TokenResponse> {
    const endpoint = this.metadata.revocation_endpoint;
    if (!endpoint) throw new FlowError('the provider advertises no revocation endpoint');
    const params: Record<string, string> = { token };
    if (hint) params.token_type_hint = hint;
    return this.post(endpoint, params, client ?? this.deps.client, 'revoke');
  }

  /** An authenticated form POST to an endpoint other than the token endpoint (revocation, introspection). */
  async post(
    endpoint: string,
    form: Record<string, string>,
    client: RegisteredClient,
    note: string,
  ): Promise<TokenResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const body = new URLSearchParams(form);
    if (client.authMethod === 'client_secret_basic' && client.secret)
      headers.authorization = basic(client.id, client.secret);
    else if (client.authMethod === 'private_key_jwt') {
      const assertion = await this.clientAssertion(client);
      this.deps.secrets.add(assertion, 'client_assertion');
      body.set('client_id', client.id);
      body.set('client_assertion_type', JWT_BEARER);
      body.set('client_assertion', assertion);
    } else {
      body.set('client_id', client.id);
      if (client.secret) body.set('client_secret', client.secret);
    }
    const res = await httpFetch(endpoint, { method: 'POST', headers, body: body.toString(), signal: this.deps.signal });
    this.deps.recorder.record({
      method: 'POST',
      url: endpoint,
      requestHeaders: headers,
      requestBody: body.toString(),
      status: res.status,
      responseHeaders: res.headers.record,
      responseBody: res.body,
      note: `${note} as ${client.label} client`,
    });
    return parseTokenResponse(res.status, res.headers.record, res.body);
  }

  /** A raw GET (discovery, JWKS, error pages), recorded. */
  async get(url: string, note: string): Promise<{ status: number; body: string; headers: Record<string, string> }> {
    const res = await httpFetch(url, { redirect: 'manual', headers: { accept: '*/*' }, signal: this.deps.signal });
    this.deps.recorder.record({
      method: 'GET',
      url,
      requestHeaders: { accept: '*/*' },
      status: res.status,
      responseHeaders: res.headers.record,
      responseBody: res.body,
      note,
    });
    return { status: res.status, body: res.body, headers: res.headers.record };
  }
}

/** Parses a token endpoint answer without trusting it. */
export function parseTokenResponse(status: number, headers: Record<string, string>, body: string): TokenResponse {
  let json: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const str = (k: string): string | undefined => (typeof json?.[k] === 'string' ? (json[k] as string) : undefined);
  const accessToken = str('access_token');
  return {
    status,
    headers,
    body,
    json,
    ok: status === 200 && accessToken !== undefined,
    accessToken,
    refreshToken: str('refresh_token'),
    idToken: str('id_token'),
    error: str('error'),
    tokenType: str('token_type'),
  };
}

/** One-line description of an authorization outcome, for summaries. */
export function describeAuthorize(r: AuthorizeResult): string {
  if (r.kind === 'redirect') {
    const u = new URL(r.location);
    const p = { ...r.query, ...r.fragment };
    const what = p.code
      ? 'a code'
      : p.access_token
        ? 'an access token'
        : p.error
          ? `error=${p.error}`
          : 'no code and no error';
    return `redirect to ${u.origin}${u.pathname} with ${what}`;
  }
  if (r.kind === 'page') return `a page with status ${r.status}`;
  return r.reason;
}

/** One-line description of a token answer, for summaries. */
export function describeToken(t: TokenResponse): string {
  if (t.ok) return `${t.status} with an access token`;
  return `${t.status}${t.error ? ` ${t.error}` : ''}`;
}
