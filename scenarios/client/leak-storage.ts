/** leak.storage: no refresh token where page script can read it (OWASP OAuth 2.0 cheat sheet). */
import { readableCookiesSet } from '../lib/cookies.js';
import { findSecrets, knownSecrets, stripQuery, type Leak } from '../lib/evidence.js';
import { exerciseClient, type CompletedLogin } from '../lib/flow.js';
import type { StorageDump } from '../../harness/types.js';
import type { ClientCheckContext } from '../types.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopError, warn } from '../lib/outcome.js';
import { scriptVectors } from '../lib/script-free.js';

/** Values as stored, plus a base64 decoding (cookie libraries often base64 their payload). */
function readable(value: string): string {
  let out = value;
  try {
    out += `\n${decodeURIComponent(value)}`;
  } catch {
    // not URL-encoded
  }
  if (/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(value)) out += `\n${Buffer.from(value, 'base64').toString('latin1')}`;
  return out;
}

/**
 * A web app's storage is only written by its pages' script. The login through a plain HTTP agent, when
 * none of its pages could run any: its transcript then says everything Chromium would (the cookies are
 * the Set-Cookie headers). Undefined, with the reason observed, when Chromium has to make the login: a
 * page could run script, or the login needs script to complete (a sign-in started by JavaScript).
 */
async function scriptFreeLogin(ctx: ClientCheckContext): Promise<CompletedLogin | undefined> {
  let probe: CompletedLogin;
  try {
    probe = await exerciseClient(ctx, 'login', { agent: 'http' });
  } catch (err) {
    // Only the target's failures: a harness error or an interrupted run ends the check as before.
    if (ctx.signal.aborted || (err as { errorKind?: string }).errorKind !== 'target') throw err;
    ctx.observe(
      `The login did not complete through a plain HTTP agent (${err instanceof Error ? err.message : String(err)}): it is made in Chromium.`,
    );
    return undefined;
  }
  const transcript = probe.session.transcript();
  const vectors = scriptVectors(transcript);
  if (vectors.length > 0) {
    ctx.observe(
      `${stripQuery(vectors[0].url)} could run script in a browser (${vectors[0].reason}` +
        `${vectors.length > 1 ? `; ${vectors.length - 1} more` : ''}): the login is repeated in Chromium, whose storage is read.`,
    );
    return undefined;
  }
  ctx.observe(
    `None of the ${transcript.length} responses of the login could run script in a browser (no script ` +
      'element, event handler, script: URL, embedded document or self-navigation; HTML, text or JSON only): ' +
      'nothing can write web storage or document.cookie, and the cookies a browser keeps are those set by ' +
      'Set-Cookie.',
  );
  return probe;
}

/** Refresh tokens never sit in localStorage, sessionStorage or script-readable cookies. */
export const leakStorage = defineClientCheck({
  id: 'leak.storage',
  title: 'No refresh token in script-readable storage',
  severity: 'medium',
  refs: ['OWASP-OAUTH2'],
  requirement: {
    text: 'OWASP OAuth 2.0 Cheat Sheet: keep refresh tokens out of storage that scripts can read (localStorage, sessionStorage, cookies without HttpOnly).',
    level: 'RECOMMENDED',
    ref: 'OWASP-OAUTH2',
  },
  kinds: BROWSER_KINDS,
  agent: 'browser',
  must: 'No refresh token in localStorage, sessionStorage or script-readable cookies (access token there: warn).',
  rationale:
    'Anything in localStorage, sessionStorage or a cookie without HttpOnly can be read by every script on the ' +
    'page, including a single XSS bug or a compromised npm dependency. A refresh token stolen that way gives ' +
    'the attacker long-lived access to the person’s lexoffice data, long after the page is closed.',
  remediation:
    'Keep tokens on the server (a backend-for-frontend with an HttpOnly, SameSite session cookie). A pure ' +
    'browser application should hold tokens in memory only (e.g. in a closure or a Web Worker) and get a new ' +
    'one by a fresh login or a refresh token rotation scheme, never persist a refresh token in web storage.',
  browserOnDemand: true,
  async run(ctx) {
    const plain = ctx.target.kind === 'web' ? await scriptFreeLogin(ctx) : undefined;
    const login = plain ?? (await exerciseClient(ctx, ctx.target.kind === 'web' ? 'login-browser' : 'login'));
    let dump: StorageDump | undefined;
    if (!plain) {
      if (!login.session.storage)
        stopError('The user agent cannot read browser storage (a browser is needed).', 'harness');
      dump = await login.session.storage();
    }
    const secrets = knownSecrets(ctx, ['access_token', 'refresh_token', 'id_token']);
    const leaks: Leak[] = [];
    const scan = (where: string, value: string): void => {
      for (const s of findSecrets(readable(value), secrets)) leaks.push({ kind: s.kind, where });
    };
    for (const [k, v] of Object.entries(dump?.localStorage ?? {})) scan(`localStorage["${k}"]`, v);
    for (const [k, v] of Object.entries(dump?.sessionStorage ?? {})) scan(`sessionStorage["${k}"]`, v);
    const readableCookies = (dump?.cookies ?? []).filter((c) => !c.httpOnly);
    for (const c of readableCookies) scan(`cookie ${c.name} (not HttpOnly)`, c.value);
    // A readable cookie the browser was handed and has since dropped was readable meanwhile; one still
    // kept is already counted above. (leak.page leaves these Set-Cookie headers to this check.)
    const kept = new Set(readableCookies.map((c) => `${c.name}=${c.value}`));
    const setReadable = readableCookiesSet(login.session.transcript());
    for (const c of setReadable) {
      if (!kept.has(`${c.name}=${c.value}`)) {
        scan(`cookie ${c.name} (not HttpOnly, set by ${stripQuery(c.url)} #${c.seq})`, c.value);
      }
    }
    ctx.observe(
      dump
        ? `Storage after login: ${Object.keys(dump.localStorage).length} localStorage, ${Object.keys(dump.sessionStorage).length} ` +
            `sessionStorage entries, ${readableCookies.length} of ${dump.cookies.length} cookies readable by script.`
        : `Cookies after login (HTTP transcript): ${setReadable.length} set without HttpOnly, readable by script.`,
      { leaks },
    );
    const refresh = leaks.filter((l) => l.kind === 'refresh_token');
    if (refresh.length > 0)
      return fail(`A refresh token is readable by page script: ${refresh.map((l) => l.where).join(', ')}.`);
    if (leaks.length > 0) {
      return warn(
        `A ${leaks[0].kind} is readable by page script (${leaks[0].where}); keep tokens in memory or on the server.`,
      );
    }
    return pass('No token is kept in web storage or in a cookie readable by script.');
  },
});
