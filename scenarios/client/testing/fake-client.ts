/**
 * A small in-process client application and its user agents, signing in against the real mock provider
 * (`createMockIdp`, called through `idp.handle`, no socket), for unit tests of the client checks'
 * decision logic. Every safeguard of the client can be switched off one at a time, so a test can show a
 * check passing on the correct client and failing on exactly the flaw it exists to catch. The provider
 * side (faults, journal, issued codes and tokens, discovery faults) is the mock itself.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, exportSPKI, importJWK, type JWK } from 'jose';
import { createMockIdp } from '../../../mock-idp/create-mock-idp.js';
import { LOGIN_TAG_HEADER } from '../../../mock-idp/types.js';
import { CheckRunError } from '../../../harness/runner/errors.js';
import { waitMs } from '../../../harness/runner/wait.js';
import type { DiscoveryFault, Journal, JournalEntry, MockIdp } from '../../../mock-idp/types.js';
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
} from '../../../harness/types.js';
import type { ClientCheck, ClientCheckContext, Observation, Outcome } from '../../types.js';

const ISSUER_ORIGIN = 'http://127.0.0.1:4000';
const APP = 'http://127.0.0.1:3000';
/** The script element of the app's pages (a browser would run it: leak.storage reads the browser's storage). */
const APP_SCRIPT = '<script src="/app.js"></script>';
const REDIRECT_URI = `${APP}/callback`;
/** Another origin (another port) a page may load resources from. */
const THIRD_PARTY = 'http://127.0.0.1:5000';
/** A scope the lexoffice profile grants but the fake client is not declared to need. */
const UNDECLARED_SCOPE = 'invoice.read';

/** One step of ID token validation (OIDC Core 3.1.3.7) the client can be made to skip. */
export type IdTokenLapse =
  /** No signature verification at all (the token is only decoded). */
  | 'signature'
  /** An unsigned token (`alg` none in any casing) is accepted. */
  | 'alg-none'
  /** An HS256 token is verified with the provider's RSA public key (PEM) as the HMAC secret. */
  | 'hs256-with-public-key'
  | 'iss'
  | 'aud'
  /** `aud` is compared only when present: a token without it is accepted. */
  | 'aud-if-present'
  | 'exp'
  | 'nonce';

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
  /** Switches to plain PKCE when the metadata advertises only plain. */
  followsPlainMetadata: boolean;
  noNonce: boolean;
  /** ID token validation steps the client skips. */
  idTokenLapses: IdTokenLapse[];
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
  /** The login page sends the person on by script: a session a check asks to be plain HTTP cannot sign in. */
  loginNeedsScript: boolean;
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
  /** Issuer-wide changes to the provider's metadata (RFC 9207 `iss`, plain-only PKCE). */
  discoveryFaults?: DiscoveryFault[];
  scopes?: string[];
  /** The manifest's `native` (TARGETS.md §1.1); the fake client still redirects to one fixed port. */
  native?: boolean;
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
}

interface ClientSession {
  sid: string;
  pending?: Pending;
  grant?: Grant;
  storage: StorageDump;
}

interface Page {
  status: number;
  body: string;
  url: string;
}

type TokenAnswer =
  | { ok: true; access_token?: string; refresh_token?: string; id_token?: string; token_type?: string }
  | { ok: false; error: string };

/** The mock provider, the fake client and its user agents, and a context to run one check against them. */
export interface FakeWorld {
  idp: MockIdp;
  journal: Journal;
  /** Runs a check against the fake client and returns its outcome and observations. */
  run(check: ClientCheck): Promise<{ outcome: Outcome; observations: Observation[] }>;
  logs: string[];
}

let worldCounter = 0;

/**
 * One login's view of the journal, as the runner gives a check (harness/runner/tagged-journal.ts; not
 * imported, since scenarios/ reaches the harness only through its types).
 */
function taggedJournal(journal: Journal, tag: string): Journal {
  const mine = (e: JournalEntry): boolean => e.tag === tag;
  return {
    entries: (filter) => journal.entries({ ...filter, tag }),
    issued: (filter) => journal.issued({ ...filter, tag }),
    secrets: () =>
      journal.secrets().filter((a) => a.tag === tag || (a.tag === undefined && a.kind === 'client_secret')),
    waitFor: (predicate, opts) => journal.waitFor((e) => mine(e) && predicate(e), opts),
    subscribe: (listener) => journal.subscribe((e) => mine(e) && listener(e)),
  };
}

/** Builds a fresh provider (strict, seeded) and a fresh client registered at it. */
export async function createFakeWorld(opts: FakeWorldOptions = {}): Promise<FakeWorld> {
  const flaws: Partial<FakeFlaws> = opts.flaws ?? {};
  const lapses = new Set(flaws.idTokenLapses ?? []);
  const kind = opts.kind ?? 'web';
  const declaredScopes = opts.scopes ?? ['openid', 'profile', 'contact.read'];
  const world = ++worldCounter;
  const idp = await createMockIdp({ baseUrl: ISSUER_ORIGIN, seed: world, discoveryFaults: opts.discoveryFaults });
  const secret = `fake-client-secret-${randomBytes(16).toString('hex')}`;
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
    ...(opts.native ? { native: true } : {}),
  };
  idp.registerClient({
    clientId: target.client.id,
    clientSecret: secret,
    authMethod: 'client_secret_basic',
    redirectUris: [REDIRECT_URI],
  });
  const logs: string[] = [];
  let n = 0;
  const fresh = (prefix: string): string => `${prefix}-${world}-${++n}-${randomBytes(12).toString('hex')}`;
  const metadata = idp.metadata;
  const plainOnly =
    Array.isArray(metadata.code_challenge_methods_supported) &&
    !metadata.code_challenge_methods_supported.includes('S256');
  const issAdvertised = metadata.authorization_response_iss_parameter_supported === true;

  // ---------------------------------------------------------------- the client's calls to the provider
  const basic = `Basic ${Buffer.from(`${target.client.id}:${secret}`).toString('base64')}`;
  const token = async (params: Record<string, string>, secretInQuery: boolean): Promise<TokenAnswer> => {
    const url = new URL(idp.endpoints.token);
    if (secretInQuery) url.searchParams.set('client_secret', secret);
    const response = await idp.handle(
      new Request(url, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
      }),
    );
    const text = await response.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { ok: false, error: 'the token response is not JSON' };
    }
    if (!response.ok) return { ok: false, error: String(json.error) };
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      ok: true,
      access_token: str(json.access_token),
      refresh_token: str(json.refresh_token),
      id_token: str(json.id_token),
      token_type: str(json.token_type),
    };
  };
  const bearerCall = async (url: string, access: string): Promise<Response> => {
    const request = new URL(url);
    const headers: Record<string, string> = {};
    if (flaws.bearerInQuery) request.searchParams.set('access_token', access);
    else headers.authorization = `Bearer ${access}`;
    return idp.handle(new Request(request, { headers }));
  };
  const api = async (path: string, access: string): Promise<boolean> => {
    const response = await bearerCall(new URL(path.replace(/^\//, ''), `${idp.apiBaseUrl}/`).href, access);
    await response.arrayBuffer();
    return response.ok;
  };
  const userinfoSub = async (access: string): Promise<string | undefined> => {
    const response = await bearerCall(idp.endpoints.userinfo!, access);
    if (!response.ok) return undefined;
    return ((await response.json()) as { sub?: string }).sub;
  };

  // ---------------------------------------------------------------- ID token validation (OIDC Core 3.1.3.7)
  let firstKeys: JWK[] | undefined;
  let keys: JWK[] | undefined;
  const fetchJwks = async (): Promise<JWK[]> => {
    const response = await idp.handle(new Request(idp.endpoints.jwks!));
    return ((await response.json()) as { keys: JWK[] }).keys;
  };
  /** The reason the ID token is refused, or undefined when the client accepts it. */
  const refuseIdToken = async (idToken: string, nonce: string | undefined): Promise<string | undefined> => {
    const header = decodeProtectedHeader(idToken);
    const alg = String(header.alg ?? '');
    keys ??= await fetchJwks();
    firstKeys ??= keys;
    if (alg.toLowerCase() === 'none') {
      if (!lapses.has('alg-none') && !lapses.has('signature')) return 'unsigned ID token';
    } else if (alg === 'HS256') {
      if (lapses.has('hs256-with-public-key')) {
        const pem = await exportSPKI((await importJWK(keys[0], 'RS256', { extractable: true })) as CryptoKey);
        const [h, p, s] = idToken.split('.');
        if (createHmac('sha256', pem).update(`${h}.${p}`).digest('base64url') !== s) return 'signature invalid';
      } else if (!lapses.has('signature')) return `unexpected alg ${alg}`;
    } else if (!lapses.has('signature')) {
      let key = keys.find((k) => k.kid === header.kid);
      if (!key) {
        if (flaws.noJwksRefetch) return 'unknown key';
        keys = await fetchJwks();
        key = flaws.firstJwksKey ? firstKeys[0] : keys.find((k) => k.kid === header.kid);
        if (!key) return 'unknown key';
      }
      try {
        await compactVerify(idToken, await importJWK(key, alg));
      } catch {
        return 'signature invalid';
      }
    }
    const claims = decodeJwt(idToken);
    if (!lapses.has('iss') && claims.iss !== idp.issuer) return 'wrong issuer';
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const audChecked = !lapses.has('aud') && !(lapses.has('aud-if-present') && claims.aud === undefined);
    if (audChecked && !aud.includes(target.client.id)) return 'wrong audience';
    if (!lapses.has('exp') && (claims.exp ?? 0) * 1000 <= Date.now()) return 'expired';
    if (!lapses.has('nonce') && nonce !== undefined && claims.nonce !== nonce) return 'wrong nonce';
    return undefined;
  };

  // ---------------------------------------------------------------- the client
  const globalStates = new Set<string>();
  let counter = 1000;
  let sharedVerifier: string | undefined;
  let plainDowngraded = false;

  const beginAuth = (cs: ClientSession, returnTo: string | undefined): string => {
    const p: Pending = { returnTo };
    const q = new URLSearchParams({
      response_type: flaws.implicit ? 'token' : 'code',
      client_id: target.client.id,
      redirect_uri: REDIRECT_URI,
      scope: (flaws.extraScope ? [...declaredScopes, UNDECLARED_SCOPE] : declaredScopes).join(' '),
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
      if (flaws.plainPkce || plainDowngraded || (plainOnly && flaws.followsPlainMetadata)) {
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
    return `${idp.endpoints.authorization}?${q}`;
  };

  const page = (status: number, body: string, url: string): Page => ({ status, body, url });
  const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const handleCallback = async (cs: ClientSession, url: string): Promise<Page> => {
    const q = new URL(url).searchParams;
    const pending = cs.pending;
    if (!flaws.keepStateAfterUse) cs.pending = undefined;
    if (flaws.logsUrls) logs.push(`GET ${url}`);
    const error = q.get('error');
    if (error) {
      if (error === 'invalid_request' && flaws.retryPlainAfterError) {
        plainDowngraded = true;
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
    if (issAdvertised && !flaws.noIssCheck && q.get('iss') !== idp.issuer)
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
    const answer = await token(params, Boolean(flaws.secretInQuery));
    if (!answer.ok) {
      if (flaws.crashOnTokenError) return page(500, 'Error: invalid_grant\n    at redeem (/app/oauth.js:20:11)', url);
      return page(400, '<p>Sign-in error: the sign-in could not be completed</p>', url);
    }
    if (
      !flaws.acceptsMalformedToken &&
      (!answer.access_token || (answer.token_type ?? '').toLowerCase() !== 'bearer')
    ) {
      return page(400, '<p>Sign-in error: bad token response</p>', url);
    }
    if (answer.id_token) {
      const refused = await refuseIdToken(answer.id_token, pending?.nonce);
      if (refused) return page(400, `<p>Sign-in error: ${refused}</p>`, url);
      const sub = await userinfoSub(answer.access_token ?? '');
      if (sub !== decodeJwt(answer.id_token).sub && !flaws.ignoresUserinfoSub)
        return page(400, '<p>Sign-in error: subject mismatch</p>', url);
    }
    cs.grant = { access: answer.access_token ?? 'undefined', refresh: answer.refresh_token };
    if (!flaws.noSessionRegeneration) cs.sid = fresh('sid');
    if (flaws.refreshTokenInLocalStorage && answer.refresh_token) cs.storage.localStorage.rt = answer.refresh_token;
    // The page the person lands on loads the app's script (see deliver).
    if (flaws.codeStaysInAddressBar) return page(200, `<p>Signed in</p>${APP_SCRIPT}`, url);
    const dest =
      pending?.returnTo &&
      (flaws.openRedirect ||
        (pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') && !pending.returnTo.includes('\\')))
        ? new URL(pending.returnTo, APP).href
        : `${APP}/`;
    return page(
      200,
      `${flaws.tokenInUrl ? `<a href="/me?token=${answer.access_token}">me</a>` : '<p>Home</p>'}${APP_SCRIPT}`,
      dest,
    );
  };

  const firstRefresh = new Map<ClientSession, string>();
  const refreshGrant = async (cs: ClientSession): Promise<boolean> => {
    if (!cs.grant?.refresh) return false;
    const rt = flaws.refreshWithFirstToken ? (firstRefresh.get(cs) ?? cs.grant.refresh) : cs.grant.refresh;
    if (!firstRefresh.has(cs)) firstRefresh.set(cs, cs.grant.refresh);
    const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: rt };
    if (flaws.widenScopeOnRefresh) params.scope = [...declaredScopes, UNDECLARED_SCOPE].join(' ');
    const answer = await token(params, false);
    if (!answer.ok || !answer.access_token) return false;
    cs.grant = { access: answer.access_token, refresh: answer.refresh_token ?? cs.grant.refresh };
    return true;
  };
  /** The API with the session's access token; on a refused token, one refresh and a retry. */
  const apiWithRefresh = async (cs: ClientSession, path: string): Promise<boolean> => {
    if (!cs.grant) return false;
    if (await api(path, cs.grant.access)) return true;
    return (await refreshGrant(cs)) && api(path, cs.grant.access);
  };

  // ---------------------------------------------------------------- sessions (the user agents)
  let sessionCounter = 0;
  const makeSession = (tag: string, name: string, plainHttp = false): Session => {
    const cs: ClientSession = { sid: fresh('sid'), storage: { localStorage: {}, sessionStorage: {}, cookies: [] } };
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
    const session: Session = {
      id: `${name}-${++sessionCounter}`,
      agent: kind === 'driver' ? 'driver' : 'http',
      async startLogin(o) {
        if (flaws.loginNeedsScript && plainHttp) {
          log(`${APP}/login`, 200, `<p>Signing in</p>${APP_SCRIPT}`);
          throw new CheckRunError(
            `the login URL did not send the person to the provider's authorization endpoint (status 200)`,
            'target',
          );
        }
        const returnTo = o?.loginQuery ? Object.values(o.loginQuery)[0] : undefined;
        const url = beginAuth(cs, returnTo);
        log(
          `${APP}/login${o?.loginQuery ? `?${new URLSearchParams(o.loginQuery)}` : ''}`,
          302,
          flaws.secretInPage ? `<script>const s = '${secret}'</script>` : '',
          { location: url, ...cookieHeader() },
        );
        return { url, params: Object.fromEntries(new URL(url).searchParams) };
      },
      async approve(request: AuthorizationRequest): Promise<AuthorizationResponse> {
        // The person at the provider: the request carries this check's login tag; the mock auto-approves.
        const response = await idp.handle(new Request(request.url, { headers: { [LOGIN_TAG_HEADER]: tag } }));
        const location = response.headers.get('location');
        const body = await response.text();
        if (response.status >= 300 && response.status < 400 && location) {
          return { status: response.status, callbackUrl: new URL(location, request.url).href };
        }
        return { status: response.status, body };
      },
      async deliver(callbackUrl: string): Promise<CallbackResult> {
        const r = await handleCallback(cs, callbackUrl);
        const ok = Boolean(cs.grant) && r.status < 400;
        const redirected = r.url !== callbackUrl;
        log(callbackUrl, redirected ? 302 : r.status, redirected ? '' : r.body, {
          ...(redirected ? { location: r.url } : {}),
          ...(cs.grant ? cookieHeader() : {}),
        });
        if (redirected)
          log(
            r.url,
            r.status,
            r.body,
            flaws.refreshTokenInPage && cs.grant?.refresh ? { 'x-debug': cs.grant.refresh } : {},
          );
        // The page the person lands on loads a script; the browser names that page in Referer.
        log(`${APP}/app.js`, 200, '', {}, { referer: r.url });
        if (flaws.thirdPartyScript) log(`${THIRD_PARTY}/tag.js`, 200, '', {}, { referer: r.url });
        if (kind === 'driver') return { ok, error: ok ? undefined : r.body };
        return { status: r.status, finalUrl: r.url, body: r.body };
      },
      async login(o) {
        const request = await session.startLogin(o);
        const response = await session.approve(request);
        const callback = await session.deliver(response.callbackUrl!);
        return { request, response, callback };
      },
      async isSignedIn() {
        return apiWithRefresh(cs, '/v1/profile');
      },
      async refresh() {
        if (!cs.grant) return 'failed';
        return (await apiWithRefresh(cs, '/v1/profile')) ? 'ok' : 'failed';
      },
      async api(path = '/v1/profile') {
        return (await apiWithRefresh(cs, path)) ? 'ok' : 'failed';
      },
      async logout() {
        if (cs.grant?.refresh && !flaws.noRevokeOnLogout) {
          const response = await idp.handle(
            new Request(idp.endpoints.revocation!, {
              method: 'POST',
              headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ token: cs.grant.refresh, token_type_hint: 'refresh_token' }),
            }),
          );
          await response.arrayBuffer();
        }
        cs.grant = undefined;
        return 'ok';
      },
      async request(req: SessionRequest): Promise<SessionResponse> {
        if (new URL(req.url).pathname === '/callback') {
          const r = await handleCallback(cs, req.url);
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

  // ---------------------------------------------------------------- the check context
  let runs = 0;
  return {
    idp,
    journal: idp.journal,
    logs,
    async run(check) {
      const tag = `t${world}-${++runs}`;
      const observations: Observation[] = [];
      const signal = new AbortController().signal;
      const ctx: ClientCheckContext = {
        target,
        idp,
        tag,
        arm: (fault) => idp.faults.arm(tag, fault),
        session: async (name, opts) => makeSession(tag, name ?? 'session', opts?.agent === 'http'),
        // Each check's shared logins are its own here: a check sees the same evidence as in a run, in its tag.
        shared: (_key, run) => run(ctx),
        journal: taggedJournal(idp.journal, tag),
        fullJournal: idp.journal,
        targetLogs: () => logs.join('\n'),
        observe: (text, data) => void observations.push({ text, data }),
        random: Math.random,
        signal,
        wait: (ms) => waitMs(ms, signal),
      };
      try {
        return { outcome: await check.run(ctx), observations };
      } finally {
        idp.faults.clear(tag);
      }
    },
  };
}
