/**
 * A native (CLI) app as RFC 8252 describes it, driven through the driver protocol (TARGETS.md §4):
 * a public client that, for each login, opens a listener on the loopback interface on a port the
 * operating system picks, sends that loopback IP redirect URI with a PKCE S256 challenge, and closes
 * the listener once the redirect has arrived (RFC 8252 7.3, 8.3). The protocol is openid-client's (v6),
 * through the same {@link LoginFlow} as `openid-client-web`: only the redirect URI differs per login.
 *
 * The step a lab replaces is named in {@link NativeSteps}; its default is the correct code.
 */
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import type * as client from 'openid-client';
import * as z from '../shared/zod.js';
import { configure, createOpenIdClientFlow, type PendingLogin } from '../openid-client-web/flow.js';
import type { ExampleEnv } from '../shared/env.js';
import { LoginError, type Grant, type LoginFlow } from '../shared/login-flow.js';

/** A listener for one login's redirect, and the redirect URI that reaches it. */
export interface RedirectListener {
  redirectUri: string;
  close(): Promise<void>;
}

/** The steps a lab may replace. */
export interface NativeSteps {
  /**
   * Opens the listener of one login. `registered` is the redirect URI the app registered
   * (`http://127.0.0.1/callback`); the app keeps its host and path and adds the port it listens on.
   */
  openRedirect(registered: URL): Promise<RedirectListener>;
}

/** Serves the one redirect a login expects, with a page telling the person to go back to the app. */
export async function listenOnLoopback(host: string, port: number, path: string): Promise<Server> {
  const server = createServer((req, res) => {
    const found = new URL(req.url ?? '/', 'http://loopback').pathname === path;
    res.writeHead(found ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'referrer-policy': 'no-referrer' });
    res.end(found ? 'Signed in. You can close this window and return to the app.\n' : 'Not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Closes a listener, ending idle connections so the port is free at once. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The reference app's step. */
export const CORRECT_STEPS: NativeSteps = {
  async openRedirect(registered) {
    // RFC 8252 7.3: the loopback IP literal the app registered, and port 0, so the operating system picks
    // a free port for this login only.
    const host = registered.hostname === '[::1]' ? '::1' : '127.0.0.1';
    const server = await listenOnLoopback(host, 0, registered.pathname);
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the loopback listener has no port');
    const redirect = new URL(registered.href);
    redirect.port = String(address.port);
    return { redirectUri: redirect.href, close: () => closeServer(server) };
  },
};

const EnvSchema = z.object({
  OAUTH_ISSUER: z.url(),
  OAUTH_CLIENT_ID: z.string().check(z.minLength(1)),
  /** The registered redirect URI: its host and path; the port is chosen per login. */
  OAUTH_REDIRECT_URI: z.url(),
  OAUTH_SCOPES: z.string().check(z.minLength(1)),
  LEXOFFICE_API_BASE_URL: z.url(),
});

/** The app's configuration from the environment the manifest sets; throws naming every bad variable. */
export function readNativeEnv(env: NodeJS.ProcessEnv = process.env): ExampleEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    issuer: e.OAUTH_ISSUER,
    clientId: e.OAUTH_CLIENT_ID,
    redirectUri: e.OAUTH_REDIRECT_URI,
    scopes: e.OAUTH_SCOPES.split(/\s+/).filter(Boolean),
    apiBaseUrl: e.LEXOFFICE_API_BASE_URL,
    // A native app serves nothing but its per-login redirect listener.
    port: 0,
    host: '127.0.0.1',
  };
}

/** One protocol session: one person's app state. */
interface AppSession {
  pending?: { login: PendingLogin; listener: RedirectListener; flow: LoginFlow<PendingLogin> };
  grant?: Grant;
  flow?: LoginFlow<PendingLogin>;
}

const RequestSchema = z.object({
  id: z.number(),
  session: z.string(),
  op: z.string(),
  url: z.optional(z.string()),
  path: z.optional(z.string()),
});

type Answer = { ok: true; url?: string; status?: number } | { ok: false; error: string };

/** A message safe for the log and the protocol: the error's text, never a stack, codes or tokens. */
function reason(err: unknown): string {
  if (err instanceof LoginError) return err.detail;
  return err instanceof Error ? err.message.replace(/[A-Za-z0-9_-]{32,}/g, '[redacted]') : 'failed';
}

/**
 * Runs the app as a driver on stdin/stdout: one JSON request per line in, one answer per line out;
 * stderr is the app's log (no codes, tokens or secrets in it).
 */
export async function runNativeApp(name: string, steps: Partial<NativeSteps> = {}): Promise<void> {
  const s: NativeSteps = { ...CORRECT_STEPS, ...steps };
  const env = readNativeEnv();
  const registered = new URL(env.redirectUri);
  let config: Promise<client.Configuration> | undefined;
  const sessions = new Map<string, AppSession>();
  const log = (text: string): void => void process.stderr.write(`${name} ${text}\n`);

  async function handle(op: string, state: AppSession, request: z.infer<typeof RequestSchema>): Promise<Answer> {
    config ??= configure(env);
    const cfg = await config;
    switch (op) {
      case 'authorize': {
        await state.pending?.listener.close();
        state.pending = undefined;
        const listener = await s.openRedirect(registered);
        try {
          const flow = createOpenIdClientFlow(cfg, { ...env, redirectUri: listener.redirectUri });
          const { url, pending } = await flow.begin();
          state.pending = { login: pending, listener, flow };
          return { ok: true, url: url.href };
        } catch (err) {
          await listener.close();
          throw err;
        }
      }
      case 'callback': {
        const pending = state.pending;
        if (!pending) return { ok: false, error: 'no login in progress' };
        if (!request.url || !URL.canParse(request.url)) return { ok: false, error: 'url must be an absolute URL' };
        const callback = new URL(request.url);
        const expected = new URL(pending.listener.redirectUri);
        // Only a redirect to this login's own listener would ever reach the app.
        if (callback.origin !== expected.origin || callback.pathname !== expected.pathname) {
          return { ok: false, error: 'the redirect does not reach this login’s listener' };
        }
        state.pending = undefined;
        try {
          state.grant = await pending.flow.complete(callback, pending.login);
          state.flow = pending.flow;
          return { ok: true };
        } finally {
          // RFC 8252 8.3: close the port once the response is returned.
          await pending.listener.close();
        }
      }
      case 'refresh': {
        if (!state.grant || !state.flow) return { ok: false, error: 'not signed in' };
        state.grant = await state.flow.refresh(state.grant);
        return { ok: true };
      }
      case 'api': {
        if (!state.grant || !state.flow) return { ok: false, error: 'not signed in' };
        const res = await state.flow.callApi(state.grant, request.path ?? '/v1/profile');
        return { ok: true, status: res.status };
      }
      case 'logout': {
        if (state.grant && state.flow) await state.flow.revoke(state.grant);
        state.grant = undefined;
        return { ok: true };
      }
      default:
        return { ok: false, error: 'unsupported' };
    }
  }

  const lines = createInterface({ input: process.stdin });
  log('ready');
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let request: z.infer<typeof RequestSchema>;
    try {
      request = RequestSchema.parse(JSON.parse(line));
    } catch {
      log('ignoring a line that is not a driver request');
      continue;
    }
    let state = sessions.get(request.session);
    if (!state) sessions.set(request.session, (state = {}));
    let answer: Answer;
    try {
      answer = await handle(request.op, state, request);
    } catch (err) {
      answer = { ok: false, error: reason(err) };
    }
    process.stdout.write(`${JSON.stringify({ id: request.id, ...answer })}\n`);
    log(`op ${request.op} session ${request.session}: ${answer.ok ? 'ok' : `not ok (${answer.error})`}`);
  }
  for (const state of sessions.values()) await state.pending?.listener.close();
}
