/**
 * An in-memory stand-in for the mock provider, a target client and its user agent, for unit tests of
 * the checks' decision logic. The fake provider journals and issues like the real one (same contract
 * types); the fake client is a small web application whose every safeguard can be switched off one at a
 * time, so a test can show a check passing on the correct client and failing on exactly one flaw.
 *
 * It is deliberately simple: ID tokens are opaque strings whose injected defect the provider remembers,
 * and the client "validates" by asking for it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  Fault,
  FaultName,
  IssuedArtifact,
  IssuedKind,
  Journal,
  JournalEntry,
  MockIdp,
  ClientAuthMethod,
  EndpointName,
} from '../../mock-idp/types.js';
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  CallbackResult,
  ResolvedTarget,
  Session,
  SessionRequest,
  SessionResponse,
  StorageDump,
  TargetKind,
  TranscriptEntry,
} from '../../harness/types.js';
import type { ClientCheck, ClientCheckContext, Observation, Outcome } from '../types.js';

const ISSUER = 'http://127.0.0.1:4000';
const APP = 'http://127.0.0.1:3000';
const REDIRECT_URI = `${APP}/callback`;
/** Another origin (another port) a page may load resources from. */
const THIRD_PARTY = 'http://127.0.0.1:5000';

/** Every way the fake client can be made to misbehave. All off: a correct client. */
export interface FakeFlaws {
  noState: boolean;
  counterState: boolean;
  /** `off`: state ignored; `if-present`: checked only when both are present; `global`: any state ever issued. */
  stateCheck: 'off' | 'if-present' | 'global';
  keepStateAfterUse: boolean;
  noPkce: boolean;
  plainPkce: boolean;
  noVerifierSent: boolean;
  reuseVerifier: boolean;
  timestampVerifier: boolean;
  retryPlainAfterError: boolean;
  followsPlainMetadata: boolean;
  noNonce: boolean;
  /** ID token defects the client does not notice. */
  acceptsIdTokenDefects: FaultName[];
  noJwksRefetch: boolean;
  /** Refetches the JWKS on an unknown key but still verifies with the first key it ever saw. */
  firstJwksKey: boolean;
  ignoresUserinfoSub: boolean;
  noIssCheck: boolean;
  implicit: boolean;
  openRedirect: boolean;
  wrongRedirectUriAtToken: boolean;
  secretInQuery: boolean;
  crashOnTokenError: boolean;
  acceptsMalformedToken: boolean;
  crashOnMissingCode: boolean;
  redeemsMissingCode: boolean;
  crashOnErrorResponse: boolean;
  secretInPage: boolean;
  reflectErrorRaw: boolean;
  codeStaysInAddressBar: boolean;
  /** The landing page also loads a script from another origin, whose policy sends it the full URL. */
  thirdPartyScript: boolean;
  tokenInUrl: boolean;
  logsUrls: boolean;
  refreshTokenInPage: boolean;
  refreshTokenInLocalStorage: boolean;
  bearerInQuery: boolean;
  refreshWithFirstToken: boolean;
  widenScopeOnRefresh: boolean;
  extraScope: boolean;
  cookieNotHttpOnly: boolean;
  noSessionRegeneration: boolean;
  noRevokeOnLogout: boolean;
}

/** Options of {@link createFakeWorld}. */
export interface FakeWorldOptions {
  kind?: TargetKind;
  flaws?: Partial<FakeFlaws>;
  /** The provider sends `iss` on callbacks and advertises RFC 9207. */
  issParameter?: boolean;
  /** The provider advertises only plain PKCE. */
  plainOnlyMetadata?: boolean;
  /** The provider issues refresh tokens (default true) and rotates them (default true). */
  refreshTokens?: boolean;
  scopes?: string[];
}

interface Pending {
  state?: string;
  verifier?: string;
  nonce?: string;
  returnTo?: string;
}

interface Grant {
  access: string;
  refresh?: string;
  sub: string;
}

interface ClientSession {
  sid: string;
  pending?: Pending;
  grant?: Grant;
  storage: StorageDump;
}

/** A fake provider + client + user agents, and a context to run one check against them. */
export interface FakeWorld {
  journal: Journal;
  /** Runs a check against the fake client and returns its outcome and observations. */
  run(check: ClientCheck): Promise<{ outcome: Outcome; observations: Observation[] }>;
  logs: string[];
}

let worldCounter = 0;

/** Builds a fresh world. */
export function createFakeWorld(opts: FakeWorldOptions = {}): FakeWorld {
  const flaws: Partial<FakeFlaws> = opts.flaws ?? {};
  const kind = opts.kind ?? 'web';
  const declaredScopes = opts.scopes ?? ['openid', 'profile', 'contact.read'];
  const entries: JournalEntry[] = [];
  const issued: IssuedArtifact[] = [];
  const listeners = new Set<(e: JournalEntry) => void>();
  const faults = new Map<string, Fault>();
  const idTokenDefects = new Map<string, FaultName | undefined>();
  const logs: string[] = [];
  const world = ++worldCounter;
  let seq = 0;
  let n = 0;
  const fresh = (prefix: string): string => `${prefix}-${world}-${++n}-${randomBytes(12).toString('hex')}`;
  const secret = 'fake-client-secret-value';
  const target: ResolvedTarget = {
    name: 'fake',
    kind,
    dir: '.',
    profile: 'lexoffice',
    client: {
      id: 'fake-client',
      secret,
      authMethod: 'client_secret_basic',
      redirectUri: REDIRECT_URI,
      scopes: declaredScopes,
    },
    start: { command: ['fake'], cwd: '.', env: {}, ready: { url: `${APP}/health` }, timeoutMs: 1000 },
    login: { url: `${APP}/login` },
    signedIn: { url: `${APP}/me`, status: 200 },
    logout: { url: `${APP}/logout` },
  };

  // ---------------------------------------------------------------- journal
  const record = (
    endpoint: EndpointName,
    tag: string | undefined,
    url: string,
    extra: Partial<JournalEntry>,
    headers: Record<string, string> = {},
  ): JournalEntry => {
    const e: JournalEntry = {
      seq: ++seq,
      at: Date.now(),
      tag,
      endpoint,
      request: { method: 'GET', url, headers },
      response: { status: 200, headers: {} },
      ...extra,
    };
    entries.push(e);
    for (const l of listeners) l(e);
    return e;
  };
  const issue = (a: Omit<IssuedArtifact, 'at' | 'clientId'>): IssuedArtifact => {
    const full: IssuedArtifact = { ...a, at: Date.now(), clientId: target.client.id };
    issued.push(full);
    return full;
  };
  const journalView = (tag?: string): Journal => ({
    entries: (f) =>
      entries.filter(
        (e) =>
          (tag === undefined || e.tag === tag) &&
          (!f?.tag || e.tag === f.tag) &&
          (!f?.endpoint || e.endpoint === f.endpoint),
      ),
    issued: (f) =>
      issued.filter(
        (a) => (tag === undefined || a.tag === tag) && (!f?.tag || a.tag === f.tag) && (!f?.kind || a.kind === f.kind),
      ),
    secrets: () => [
      ...issued,
      { kind: 'client_secret' as IssuedKind, value: secret, clientId: target.client.id, at: 0 },
    ],
    waitFor: (predicate, o) =>
      new Promise((resolve, reject) => {
        const hit = entries.find((e) => (tag === undefined || e.tag === tag) && predicate(e));
        if (hit) return resolve(hit);
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error('timeout'));
        }, o?.timeoutMs ?? 100);
        const unsubscribe = (): void => void listeners.delete(listener);
        const listener = (e: JournalEntry): void => {
          if ((tag === undefined || e.tag === tag) && predicate(e)) {
            clearTimeout(timer);
            unsubscribe();
            resolve(e);
          }
        };
        listeners.add(listener);
      }),
    subscribe: (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  });
  const fullJournal = journalView();

  // ---------------------------------------------------------------- provider
  const tagOf = (value: string): string | undefined => issued.find((a) => a.value === value)?.tag;
  const authorize = (url: string, tag: string): AuthorizationResponse => {
    const params = Object.fromEntries(new URL(url).searchParams);
    const fault = faults.get(tag);
    const redirect = new URL(params.redirect_uri ?? REDIRECT_URI);
    if (fault?.name === 'authorize.reject-s256' && params.code_challenge_method === 'S256') {
      redirect.searchParams.set('error', 'invalid_request');
      if (params.state) redirect.searchParams.set('state', params.state);
    } else if (params.response_type !== 'code') {
      // implicit: tokens in the fragment
      const access = issue({ kind: 'access_token', value: fresh('at'), tag });
      redirect.hash = `access_token=${access.value}&state=${params.state ?? ''}`;
    } else {
      const code = issue({
        kind: 'code',
        value: fresh('code'),
        tag,
        codeChallenge: params.code_challenge,
        codeChallengeMethod: params.code_challenge ? (params.code_challenge_method ?? 'plain') : undefined,
        nonce: params.nonce,
        redirectUri: params.redirect_uri,
        scope: params.scope,
      });
      if (fault?.name === 'callback.error') {
        redirect.searchParams.set('error', fault.error);
        if (fault.errorDescription) redirect.searchParams.set('error_description', fault.errorDescription);
      } else if (fault?.name !== 'callback.code-missing') {
        redirect.searchParams.set('code', code.value);
      }
      if (params.state && fault?.name !== 'callback.state-missing') {
        redirect.searchParams.set(
          'state',
          fault?.name === 'callback.state-altered' ? `${params.state}x` : params.state,
        );
      }
      if (opts.issParameter && fault?.name !== 'callback.iss-missing') {
        redirect.searchParams.set('iss', fault?.name === 'callback.iss-wrong' ? 'https://attacker.example' : ISSUER);
      }
    }
    record('authorization', tag, url, {
      authorization: { params, clientId: params.client_id, outcome: 'redirect', location: redirect.href },
    });
    return { status: 302, callbackUrl: redirect.href };
  };

  type TokenAnswer =
    | { ok: true; access_token?: string; refresh_token?: string; id_token?: string; token_type: string; scope?: string }
    | { ok: false; error: string; notJson?: boolean };

  const token = (params: Record<string, string>, auth: ClientAuthMethod | 'invalid', inQuery: boolean): TokenAnswer => {
    const tag = tagOf(params.code ?? params.refresh_token ?? '');
    const fault = tag ? faults.get(tag) : undefined;
    const entry = record('token', tag, `${ISSUER}/token${inQuery ? `?client_secret=${secret}` : ''}`, {
      token: {
        grantType: params.grant_type,
        params,
        clientAuth: auth,
        clientId: target.client.id,
        secretInQuery: inQuery,
        code: params.code,
        codeVerifier: params.code_verifier,
        redirectUri: params.redirect_uri,
        refreshToken: params.refresh_token,
        scope: params.scope,
        outcome: 'issued',
      },
    });
    const refuse = (error: string): TokenAnswer => {
      entry.token!.outcome = 'error';
      entry.token!.error = error;
      return { ok: false, error };
    };
    let scope: string | undefined;
    let parent: string;
    let nonce: string | undefined;
    if (params.grant_type === 'authorization_code') {
      const code = issued.find((a) => a.kind === 'code' && a.value === params.code);
      if (!code || code.redeemed) return refuse('invalid_grant');
      if (code.codeChallenge) {
        const v = params.code_verifier ?? '';
        const ok =
          code.codeChallengeMethod === 'S256'
            ? createHash('sha256').update(v).digest('base64url') === code.codeChallenge
            : v === code.codeChallenge;
        if (!ok) return refuse('invalid_grant');
      }
      if (params.redirect_uri !== code.redirectUri) return refuse('invalid_grant');
      if (fault?.name === 'token.invalid-grant') return refuse('invalid_grant');
      code.redeemed = true;
      scope = code.scope;
      parent = code.value;
      nonce = code.nonce;
    } else {
      const rt = issued.find((a) => a.kind === 'refresh_token' && a.value === params.refresh_token);
      if (!rt || rt.revoked) return refuse('invalid_grant');
      if (opts.refreshTokens !== false) rt.revoked = true;
      scope = rt.scope;
      parent = rt.value;
    }
    const access = issue({ kind: 'access_token', value: fresh('at'), tag, parent, scope });
    const refresh =
      opts.refreshTokens === false
        ? undefined
        : issue({ kind: 'refresh_token', value: fresh('rt'), tag, parent, scope });
    let idToken: string | undefined;
    if (params.grant_type === 'authorization_code' && (scope ?? '').split(' ').includes('openid')) {
      idToken = issue({ kind: 'id_token', value: fresh('idt'), tag, parent, nonce }).value;
      idTokenDefects.set(idToken, fault?.name.startsWith('id-token.') ? fault.name : undefined);
    }
    if (fault?.name === 'token.malformed') {
      if (fault.variant === 'not-json') return { ok: false, error: 'not json', notJson: true };
      if (fault.variant === 'no-access-token')
        return { ok: true, token_type: 'Bearer', refresh_token: refresh?.value, id_token: idToken };
      return {
        ok: true,
        access_token: access.value,
        token_type: 'mac',
        refresh_token: refresh?.value,
        id_token: idToken,
      };
    }
    return {
      ok: true,
      access_token: access.value,
      token_type: 'Bearer',
      refresh_token: refresh?.value,
      id_token: idToken,
      scope,
    };
  };

  const api = (path: string, access: string, location: 'header' | 'query'): number => {
    const valid = issued.some((a) => a.kind === 'access_token' && a.value === access && !a.revoked);
    record('api', tagOf(access), `${ISSUER}/api${path}${location === 'query' ? `?access_token=${access}` : ''}`, {
      bearer: { location, token: access, valid },
    });
    // Like the mock lexoffice API: a token in the query is refused (RFC 6750 §2.3 is not enabled).
    return valid && location === 'header' ? 200 : 401;
  };
  const userinfo = (access: string): string => {
    const tag = tagOf(access);
    record('userinfo', tag, `${ISSUER}/userinfo`, { bearer: { location: 'header', token: access, valid: true } });
    return tag && faults.get(tag)?.name === 'userinfo.wrong-sub' ? 'someone-else' : 'user-1';
  };

  // ---------------------------------------------------------------- client
  const sessions = new Map<string, ClientSession>();
  const globalStates = new Set<string>();
  let counter = 1000;
  let sharedVerifier: string | undefined;
  let jwksKnowsRotated = false;
  const plainDowngraded = { on: false };

  const beginAuth = (cs: ClientSession, returnTo: string | undefined): string => {
    const p: Pending = { returnTo };
    const q = new URLSearchParams({
      response_type: flaws.implicit ? 'token' : 'code',
      client_id: target.client.id,
      redirect_uri: REDIRECT_URI,
      scope: flaws.extraScope ? [...declaredScopes, 'invoice.write'].join(' ') : declaredScopes.join(' '),
    });
    if (!flaws.noState) {
      p.state = flaws.counterState ? String(++counter) : randomBytes(32).toString('base64url');
      q.set('state', p.state);
      globalStates.add(p.state);
    }
    if (!flaws.noPkce) {
      p.verifier = flaws.reuseVerifier
        ? (sharedVerifier ??= randomBytes(32).toString('base64url'))
        : flaws.timestampVerifier
          ? `v${String(Date.now() * 1000 + ++counter).padStart(43, '0')}`
          : randomBytes(32).toString('base64url');
      if (flaws.plainPkce || plainDowngraded.on || (opts.plainOnlyMetadata && flaws.followsPlainMetadata)) {
        q.set('code_challenge', p.verifier);
        q.set('code_challenge_method', 'plain');
      } else {
        q.set('code_challenge', createHash('sha256').update(p.verifier).digest('base64url'));
        q.set('code_challenge_method', 'S256');
      }
    }
    if (!flaws.noNonce) {
      p.nonce = randomBytes(16).toString('hex');
      q.set('nonce', p.nonce);
    }
    cs.pending = p;
    return `${ISSUER}/authorize?${q}`;
  };

  const page = (status: number, body: string, url: string): { status: number; body: string; url: string } => ({
    status,
    body,
    url,
  });
  const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const handleCallback = (cs: ClientSession, url: string): { status: number; body: string; url: string } => {
    const q = new URL(url).searchParams;
    const pending = cs.pending;
    if (!flaws.keepStateAfterUse) cs.pending = undefined;
    if (flaws.logsUrls) logs.push(`GET ${url}`);
    const error = q.get('error');
    if (error) {
      if (error === 'invalid_request' && flaws.retryPlainAfterError) {
        plainDowngraded.on = true;
        return page(200, 'redirecting', beginAuth(cs, undefined));
      }
      if (flaws.crashOnErrorResponse) return page(500, 'Internal Server Error', url);
      const shown = flaws.reflectErrorRaw ? `${error} ${q.get('error_description') ?? ''}` : escape(error);
      return page(400, `<p>Sign-in error: ${shown}</p>`, url);
    }
    const state = q.get('state') ?? undefined;
    const stateOk =
      flaws.stateCheck === 'off'
        ? true
        : flaws.stateCheck === 'if-present'
          ? !state || !pending?.state || state === pending.state
          : flaws.stateCheck === 'global'
            ? state !== undefined && globalStates.has(state)
            : flaws.noState
              ? true
              : pending?.state !== undefined && state === pending.state;
    if (!stateOk) return page(400, '<p>Sign-in error: invalid state</p>', url);
    if (opts.issParameter && !flaws.noIssCheck && q.get('iss') !== ISSUER)
      return page(400, '<p>Sign-in error: wrong issuer</p>', url);
    const code = flaws.redeemsMissingCode ? (q.get('code') ?? '') : q.get('code');
    if (code === null || (code === '' && !flaws.redeemsMissingCode)) {
      if (flaws.crashOnMissingCode) return page(500, 'TypeError: x\n    at handle (/app/server.js:10:5)', url);
      return page(400, '<p>Sign-in error: no code</p>', url);
    }
    const params: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: flaws.wrongRedirectUriAtToken ? `${REDIRECT_URI}/` : REDIRECT_URI,
    };
    if (pending?.verifier && !flaws.noVerifierSent) params.code_verifier = pending.verifier;
    const answer = token(params, 'client_secret_basic', Boolean(flaws.secretInQuery));
    if (!answer.ok) {
      if (flaws.crashOnTokenError) return page(500, 'Error: invalid_grant\n    at redeem (/app/oauth.js:20:11)', url);
      return page(400, '<p>Sign-in error: the sign-in could not be completed</p>', url);
    }
    if (!flaws.acceptsMalformedToken && (!answer.access_token || answer.token_type.toLowerCase() !== 'bearer')) {
      return page(400, '<p>Sign-in error: bad token response</p>', url);
    }
    if (answer.id_token) {
      const defect = idTokenDefects.get(answer.id_token);
      if (defect === 'id-token.rotated-key') {
        if (flaws.noJwksRefetch) return page(400, '<p>Sign-in error: unknown key</p>', url);
        if (!jwksKnowsRotated) {
          record('jwks', undefined, `${ISSUER}/jwks`, {});
          jwksKnowsRotated = true;
        }
        if (flaws.firstJwksKey) return page(400, '<p>Sign-in error: signature invalid</p>', url);
      } else if (defect && !(flaws.acceptsIdTokenDefects ?? []).includes(defect)) {
        return page(400, '<p>Sign-in error: invalid ID token</p>', url);
      }
      const sub = userinfo(answer.access_token ?? '');
      if (sub !== 'user-1' && !flaws.ignoresUserinfoSub)
        return page(400, '<p>Sign-in error: subject mismatch</p>', url);
    }
    cs.grant = { access: answer.access_token ?? 'undefined', refresh: answer.refresh_token, sub: 'user-1' };
    if (!flaws.noSessionRegeneration) cs.sid = fresh('sid');
    if (flaws.refreshTokenInLocalStorage && answer.refresh_token) cs.storage.localStorage.rt = answer.refresh_token;
    if (flaws.codeStaysInAddressBar) return page(200, '<p>Signed in</p>', url);
    const dest =
      pending?.returnTo &&
      (flaws.openRedirect ||
        (pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') && !pending.returnTo.includes('\\')))
        ? new URL(pending.returnTo, APP).href
        : `${APP}/`;
    return page(200, flaws.tokenInUrl ? `<a href="/me?token=${answer.access_token}">me</a>` : '<p>Home</p>', dest);
  };

  const refreshGrant = (cs: ClientSession, firstRefresh: Map<ClientSession, string>): boolean => {
    if (!cs.grant?.refresh) return false;
    const rt = flaws.refreshWithFirstToken ? (firstRefresh.get(cs) ?? cs.grant.refresh) : cs.grant.refresh;
    if (!firstRefresh.has(cs)) firstRefresh.set(cs, cs.grant.refresh);
    const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: rt };
    if (flaws.widenScopeOnRefresh) params.scope = [...declaredScopes, 'invoice.write'].join(' ');
    const answer = token(params, 'client_secret_basic', false);
    if (!answer.ok || !answer.access_token) return false;
    cs.grant = { ...cs.grant, access: answer.access_token, refresh: answer.refresh_token ?? cs.grant.refresh };
    return true;
  };
  const firstRefresh = new Map<ClientSession, string>();
  // As the mock: access tokens of a tag end their life when the scenario says so (expireAccessTokens).
  const expiredTokens = new Set<string>();
  const expired = (access: string): boolean => expiredTokens.has(access);
  const expireAccessTokens = (tag: string): void => {
    for (const a of issued) if (a.tag === tag && a.kind === 'access_token') expiredTokens.add(a.value);
  };

  // ---------------------------------------------------------------- sessions
  let sessionCounter = 0;
  const makeSession = (tag: string, name: string): Session => {
    const cs: ClientSession = { sid: fresh('sid'), storage: { localStorage: {}, sessionStorage: {}, cookies: [] } };
    sessions.set(name, cs);
    const transcript: TranscriptEntry[] = [];
    let tseq = 0;
    const cookieHeader = (): Record<string, string> => ({
      'set-cookie': `sid=${cs.sid}; Path=/; ${flaws.cookieNotHttpOnly ? '' : 'HttpOnly; '}SameSite=Lax`,
    });
    const log = (
      url: string,
      status: number,
      body: string,
      headers: Record<string, string> = {},
      requestHeaders: Record<string, string> = {},
    ): void => {
      transcript.push({
        seq: ++tseq,
        at: Date.now(),
        agent: 'http',
        method: 'GET',
        url,
        requestHeaders,
        status,
        responseHeaders: headers,
        responseBody: body,
      });
    };
    let lastCallbackOk = false;
    const session: Session = {
      id: `${name}-${++sessionCounter}`,
      agent: kind === 'driver' ? 'driver' : 'http',
      async startLogin(o) {
        const returnTo = o?.loginQuery ? Object.values(o.loginQuery)[0] : undefined;
        const url = beginAuth(cs, returnTo);
        log(
          `${APP}/login${o?.loginQuery ? `?${new URLSearchParams(o.loginQuery)}` : ''}`,
          302,
          flaws.secretInPage ? `<script>const s = '${secret}'</script>` : '',
          {
            location: url,
            ...cookieHeader(),
          },
        );
        return { url, params: Object.fromEntries(new URL(url).searchParams) };
      },
      async approve(request: AuthorizationRequest) {
        return authorize(request.url, tag);
      },
      async deliver(callbackUrl: string): Promise<CallbackResult> {
        const r = handleCallback(cs, callbackUrl);
        lastCallbackOk = Boolean(cs.grant) && r.status < 400;
        log(callbackUrl, r.url !== callbackUrl ? 302 : r.status, r.url !== callbackUrl ? '' : r.body, {
          ...(r.url !== callbackUrl ? { location: r.url } : {}),
          ...(cs.grant ? cookieHeader() : {}),
        });
        if (r.url !== callbackUrl)
          log(
            r.url,
            r.status,
            r.body,
            flaws.refreshTokenInPage && cs.grant?.refresh ? { 'x-debug': cs.grant.refresh } : {},
          );
        // The page the person lands on loads a script; the browser names that page in Referer.
        log(`${APP}/app.js`, 200, '', {}, { referer: r.url });
        if (flaws.thirdPartyScript) log(`${THIRD_PARTY}/tag.js`, 200, '', {}, { referer: r.url });
        if (kind === 'driver') return { ok: lastCallbackOk, error: lastCallbackOk ? undefined : r.body };
        return { status: r.status, finalUrl: r.url, body: r.body };
      },
      async login(o) {
        const request = await session.startLogin(o);
        const response = await session.approve(request);
        const callback = await session.deliver(response.callbackUrl!);
        return { request, response, callback };
      },
      async isSignedIn() {
        if (!cs.grant) return false;
        if (expired(cs.grant.access) && !refreshGrant(cs, firstRefresh)) return false;
        return api('/v1/profile', cs.grant.access, flaws.bearerInQuery ? 'query' : 'header') === 200;
      },
      async refresh() {
        if (!cs.grant) return 'failed';
        if (expired(cs.grant.access)) return refreshGrant(cs, firstRefresh) ? 'ok' : 'failed';
        return 'ok';
      },
      async api(path = '/v1/profile') {
        if (!cs.grant) return 'failed';
        return api(path, cs.grant.access, flaws.bearerInQuery ? 'query' : 'header') === 200 ? 'ok' : 'failed';
      },
      async logout() {
        if (cs.grant?.refresh && !flaws.noRevokeOnLogout) {
          record('revocation', tagOf(cs.grant.refresh), `${ISSUER}/revoke`, {
            revocation: { token: cs.grant.refresh },
          });
        }
        cs.grant = undefined;
        return 'ok';
      },
      async request(req: SessionRequest): Promise<SessionResponse> {
        if (new URL(req.url).pathname === '/callback') {
          const r = handleCallback(cs, req.url);
          const headers: Record<string, string> = r.url !== req.url ? { location: r.url } : {};
          log(req.url, r.url !== req.url ? 302 : r.status, r.body, headers);
          return { status: r.url !== req.url ? 302 : r.status, url: req.url, headers, body: r.body, redirects: [] };
        }
        log(req.url, 200, '<p>page</p>');
        return { status: 200, url: req.url, headers: {}, body: '<p>page</p>', redirects: [] };
      },
      async storage() {
        return {
          ...cs.storage,
          cookies: [
            {
              name: 'sid',
              value: cs.sid,
              domain: '127.0.0.1',
              path: '/',
              httpOnly: !flaws.cookieNotHttpOnly,
              secure: false,
              sameSite: 'Lax',
            },
          ],
        };
      },
      scriptEvents() {
        return [];
      },
      transcript: () => [...transcript],
      async close() {},
    };
    return session;
  };

  const idp = {
    issuer: ISSUER,
    profile: 'lexoffice',
    metadata: {},
    endpoints: {
      discovery: `${ISSUER}/.well-known/openid-configuration`,
      authorization: `${ISSUER}/authorize`,
      token: `${ISSUER}/token`,
      revocation: `${ISSUER}/revoke`,
      jwks: `${ISSUER}/jwks`,
    },
    apiBaseUrl: `${ISSUER}/api`,
    journal: fullJournal,
    faults: {
      arm: (tag: string, fault: Fault) => void faults.set(tag, fault),
      clear: (tag: string) => void faults.delete(tag),
      expireAccessTokens,
    },
  } as unknown as MockIdp;

  let runs = 0;
  return {
    journal: fullJournal,
    logs,
    async run(check) {
      const tag = `t${world}-${++runs}`;
      const observations: Observation[] = [];
      const ctx: ClientCheckContext = {
        target,
        idp,
        tag,
        arm: (fault) => faults.set(tag, fault),
        session: async (name) => makeSession(tag, name ?? 'session'),
        journal: journalView(tag),
        fullJournal,
        targetLogs: () => logs.join('\n'),
        observe: (text, data) => void observations.push({ text, data }),
        random: Math.random,
        signal: new AbortController().signal,
      };
      const outcome = await check.run(ctx);
      return { outcome, observations };
    },
  };
}
