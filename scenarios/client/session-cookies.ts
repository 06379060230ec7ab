/**
 * session.cookie-flags and session.fixation: the web session cookie is HttpOnly and SameSite, and its
 * value changes when the person signs in (OWASP session management, CWE-384).
 */
import { cookiesSetBy, type SetCookie } from '../lib/cookies.js';
import { approveToCallback, beginLogin, deliverCallback, targetOrigin } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError, warn } from '../lib/outcome.js';

/** Cookies the target left set (last Set-Cookie per name wins; deleted ones dropped). */
function liveCookies(cookies: SetCookie[]): SetCookie[] {
  const byName = new Map<string, SetCookie>();
  for (const c of cookies) {
    if (c.deleted) byName.delete(c.name);
    else byName.set(c.name, c);
  }
  return [...byName.values()];
}

/** Session (and login-state) cookies are HttpOnly and SameSite; Secure over https. */
export const sessionCookieFlags = defineClientCheck({
  id: 'session.cookie-flags',
  title: 'Session cookie is HttpOnly and SameSite',
  severity: 'medium',
  refs: ['OWASP-SESSION'],
  kinds: ['web'],
  must: 'The session cookie is HttpOnly and SameSite (Secure: warn on loopback http).',
  rationale:
    'After the OAuth dance, the session cookie is what keeps the person signed in, so it is as valuable as the ' +
    'tokens. Without HttpOnly any injected script can steal it; without SameSite other sites can make the ' +
    'browser send it along with forged requests (CSRF); without Secure it travels in clear text over http.',
  remediation:
    'Set the session cookie (and any cookie holding login state) with `HttpOnly; SameSite=Lax` (or Strict) and ' +
    '`Secure` in production over https, e.g. `cookie: { httpOnly: true, sameSite: "lax", secure: true }` in ' +
    'express-session.',
  async run(ctx) {
    const session = await ctx.session('login');
    const request = await beginLogin(ctx, session);
    const { callbackUrl } = await approveToCallback(ctx, session, request);
    await deliverCallback(ctx, session, callbackUrl);
    if (!(await session.isSignedIn())) stopError('The login did not sign in.', 'target');
    const origin = targetOrigin(ctx.target);
    const cookies = liveCookies(cookiesSetBy(session.transcript(), origin));
    if (cookies.length === 0)
      stopError('The target set no cookie during login, so no session cookie could be examined.', 'target');
    for (const c of cookies) {
      ctx.observe(
        `Cookie ${c.name}: ${c.httpOnly ? 'HttpOnly' : 'NOT HttpOnly'}, SameSite=${c.sameSite ?? '(unset)'}, ${c.secure ? 'Secure' : 'not Secure'}.`,
      );
    }
    const notHttpOnly = cookies.filter((c) => !c.httpOnly);
    if (notHttpOnly.length > 0)
      return fail(`Cookie ${notHttpOnly.map((c) => c.name).join(', ')} is readable by page script (no HttpOnly).`);
    const noSameSite = cookies.filter((c) => !c.sameSite || (c.sameSite.toLowerCase() === 'none' && !c.secure));
    if (noSameSite.length > 0)
      return fail(`Cookie ${noSameSite.map((c) => c.name).join(', ')} has no effective SameSite attribute.`);
    const https = origin.startsWith('https:');
    const notSecure = cookies.filter((c) => !c.secure);
    if (notSecure.length > 0) {
      if (https) return fail(`Cookie ${notSecure.map((c) => c.name).join(', ')} lacks Secure on an https origin.`);
      return warn(
        `The cookies are HttpOnly and SameSite; ${notSecure.map((c) => c.name).join(', ')} lacks Secure (served over loopback http).`,
      );
    }
    return pass('Every cookie the target sets is HttpOnly, SameSite and Secure.');
  },
});

/** The session cookie's value changes at sign-in. */
export const sessionFixation = defineClientCheck({
  id: 'session.fixation',
  title: 'Session identifier changes at sign-in',
  severity: 'medium',
  refs: ['CWE-384'],
  kinds: ['web'],
  must: 'The session identifier changes at sign-in.',
  rationale:
    'In session fixation the attacker obtains a session id from your site (just by visiting it), plants it in ' +
    'the victim’s browser (a subdomain cookie, a link), and waits for the victim to sign in. If the id stays ' +
    'the same across sign-in, the attacker’s copy is now a signed-in session.',
  remediation:
    'Issue a new session id when the person signs in, e.g. `req.session.regenerate()` in express-session, ' +
    '`session.cycle_key()` in Django, and copy over only what the new session needs.',
  async run(ctx) {
    const session = await ctx.session('login');
    const request = await beginLogin(ctx, session);
    const origin = targetOrigin(ctx.target);
    const before = liveCookies(cookiesSetBy(session.transcript(), origin));
    const { callbackUrl } = await approveToCallback(ctx, session, request);
    await deliverCallback(ctx, session, callbackUrl);
    if (!(await session.isSignedIn())) stopError('The login did not sign in.', 'target');
    const after = liveCookies(cookiesSetBy(session.transcript(), origin));
    ctx.observe(
      `Cookies before sign-in: ${before.map((c) => c.name).join(', ') || '(none)'}; after: ${after.map((c) => c.name).join(', ') || '(none)'}.`,
    );
    if (after.length === 0)
      stopError('The target set no cookie, so no session identifier could be compared.', 'target');
    const unchanged = before.filter((b) => after.some((a) => a.name === b.name && a.value === b.value));
    for (const b of before) {
      ctx.observe(
        `Cookie ${b.name}: ${unchanged.includes(b) ? 'SAME value after sign-in' : 'new value after sign-in (or removed)'}.`,
      );
    }
    if (unchanged.length > 0) {
      return fail(
        `The value of cookie ${unchanged.map((c) => c.name).join(', ')} set before sign-in is still in use after sign-in.`,
      );
    }
    return pass(
      before.length === 0
        ? 'No session existed before sign-in; the session cookie was created at sign-in.'
        : 'Every cookie set before sign-in has a new value after sign-in.',
    );
  },
});
