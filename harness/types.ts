/**
 * Contract between the runner, the user agents and the scenarios. Scenarios drive a login only through
 * `Session`; they never open sockets themselves.
 */
import type { ClientAuthMethod } from '../mock-idp/types.js';

export type TargetKind = 'web' | 'spa' | 'driver';

/** Which user agent a check needs. `default`: HTTP agent for web, Chromium for spa, the driver for driver. */
export type AgentNeed = 'default' | 'browser';

/** A manifest after validation, defaults and placeholder substitution (see ../shared/TARGETS.md). */
export interface ResolvedTarget {
  name: string;
  kind: TargetKind;
  /** Folder the manifest was loaded from (relative paths are resolved against it). */
  dir: string;
  /** `lexoffice`, `lexoffice-partner`, or an absolute path to a discovery document. */
  profile: string;
  /**
   * TARGETS.md §1.1: how many providers the client is configured for (absent: 1). With 2 the run has a
   * second mock issuer (`{{idp2.*}}`) and the mix-up checks apply.
   */
  providers?: number;
  client: {
    id: string;
    secret?: string;
    authMethod: ClientAuthMethod;
    redirectUri: string;
    scopes: string[];
    /** TARGETS.md §1.1: the client sends DPoP proofs (RFC 9449). */
    dpop?: boolean;
    /** TARGETS.md §1.1: the client pushes its authorization requests (RFC 9126). */
    par?: boolean;
    /** `private_key_jwt`: the client's registered public keys, or where it serves them. */
    jwks?: { keys: Array<Record<string, unknown>> };
    jwksUri?: string;
    /** TARGETS.md §1.1: registered post-logout redirect URIs (RP-initiated logout). */
    postLogoutRedirectUris?: string[];
    /** TARGETS.md §1.1: the client's back-channel logout URI. */
    backchannelLogoutUri?: string;
  };
  start?: {
    command: string[];
    cwd: string;
    env: Record<string, string>;
    ready: { url: string } | { stdout: string };
    timeoutMs: number;
  };
  login?: { url: string };
  signedIn?: { url: string; status: number; text?: string } | { selector: string };
  logout?: { url: string };
  /**
   * Optional, additive: a TypeScript/JavaScript integration imported into the harness's process
   * (`harness/inprocess/`) instead of a started server. `module` is an absolute path; `port` is the
   * run's `{{target.port}}` (set when resolved).
   */
  inProcess?: { module: string; export: string; env: Record<string, string>; port?: number };
  /**
   * TARGETS.md §1.1: a native or CLI app (kind `driver`) that chooses its own loopback redirect; it
   * is registered as a native client, so any port on its loopback IP redirect URI is accepted.
   */
  native?: boolean;
}

/** One HTTP exchange the user agent made (or, for the driver, one protocol exchange). */
export interface TranscriptEntry {
  seq: number;
  at: number;
  agent: 'http' | 'browser' | 'driver' | 'harness';
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** Free-form note, e.g. "driver op callback". */
  note?: string;
}

/** The authorization request the client sent the person to, parsed. */
export interface AuthorizationRequest {
  url: string;
  params: Record<string, string>;
}

/** What the provider answered to the person's visit of the authorization URL. */
export interface AuthorizationResponse {
  /** The redirect back to the client (`redirect_uri?code=...&state=...`), if the provider redirected. */
  callbackUrl?: string;
  /** Provider status and body when it did not redirect (error page, login form). */
  status: number;
  body?: string;
}

/** What the client did with a callback. */
export interface CallbackResult {
  /** web/spa: final status after following the client's redirects; driver: undefined. */
  status?: number;
  /** web/spa: final URL after redirects (the address bar). */
  finalUrl?: string;
  /** web/spa: body of the final response (HTML as served / page content). */
  body?: string;
  /** driver: the callback answer. */
  ok?: boolean;
  error?: string;
}

export interface StorageDump {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  cookies: Array<{
    name: string;
    value: string;
    domain: string;
    path: string;
    httpOnly: boolean;
    secure: boolean;
    sameSite: 'Strict' | 'Lax' | 'None' | undefined;
  }>;
}

/** Raw request within a session (web/spa): same cookie jar / browser context. */
export interface SessionRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Follow redirects (default true). */
  follow?: boolean;
}

export interface SessionResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Every hop when redirects were followed. */
  redirects: string[];
}

/**
 * One person's user-agent session against the target (one cookie jar, one browser context, or one
 * driver session). Every call is recorded in `transcript()`.
 */
export interface Session {
  readonly id: string;
  readonly agent: 'http' | 'browser' | 'driver';
  /**
   * Starts a login and stops at the provider's door: web/spa visit `login.url` and follow the client's
   * redirects until the next hop is the provider's authorization endpoint (not fetched); driver sends
   * `authorize`. Optional extra query parameters are added to the login URL (e.g. `returnTo`).
   */
  startLogin(opts?: { loginQuery?: Record<string, string> }): Promise<AuthorizationRequest>;
  /**
   * Plays the person at the provider: fetches the authorization URL (tagged with this check's login tag,
   * approving any login form) and returns where the provider sends the person. Does not follow the
   * redirect to the client.
   */
  approve(request: AuthorizationRequest): Promise<AuthorizationResponse>;
  /** Delivers a callback URL to the client in this session: web/spa navigate to it; driver sends `callback`. */
  deliver(callbackUrl: string): Promise<CallbackResult>;
  /** startLogin + approve + deliver. */
  login(opts?: { loginQuery?: Record<string, string> }): Promise<{
    request: AuthorizationRequest;
    response: AuthorizationResponse;
    callback: CallbackResult;
  }>;
  /** The signed-in oracle: web `signedIn` request; spa selector visible; driver: last callback ok and `api /v1/profile` ok. */
  isSignedIn(): Promise<boolean>;
  /** Makes the client refresh: web/spa repeat the signed-in request; driver sends `refresh`. `unsupported` for drivers that don't. */
  refresh(): Promise<'ok' | 'failed' | 'unsupported'>;
  /** Makes the client call the lexoffice API: driver `api`; web/spa: the signed-in request. */
  api(path?: string): Promise<'ok' | 'failed' | 'unsupported'>;
  /** Signs out: web/spa visit `logout.url`; driver `logout`. `unsupported` without a logout. */
  logout(): Promise<'ok' | 'failed' | 'unsupported'>;
  /** web/spa only: a request in this session (same cookies/context). Throws for driver sessions. */
  request(req: SessionRequest): Promise<SessionResponse>;
  /** Browser sessions only: storage and cookies of the target origin. */
  storage?(): Promise<StorageDump>;
  /** Browser sessions only: dialogs opened and `window.__lhXss` markers set by injected script. */
  scriptEvents?(): Array<{ type: 'dialog' | 'marker' | 'console'; text: string; url: string }>;
  /** Everything this session sent and received. */
  transcript(): TranscriptEntry[];
  close(): Promise<void>;
}
