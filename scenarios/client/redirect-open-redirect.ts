/** redirect.open-redirect: a post-login return parameter cannot send the person elsewhere (RFC 9700 §4.11.1, CWE-601). */
import type { Session } from '../../harness/types.js';
import type { ClientCheckContext } from '../types.js';
import { approveToCallback, beginLogin, providerOrigins, targetOrigin } from '../lib/flow.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopError } from '../lib/outcome.js';

const FOREIGN_HOST = 'evil.example';

/** Spellings of a foreign destination: absolute, scheme-relative, and the backslash trick browsers read as `//`. */
const DESTINATIONS = [`https://${FOREIGN_HOST}/phish`, `//${FOREIGN_HOST}/phish`, `/\\${FOREIGN_HOST}/phish`];

/**
 * Names clients commonly read the return page from. `redirect_uri` is left out on purpose: a client that
 * forwards it to the provider gets an error page, which says nothing about where it sends the person.
 */
const RETURN_PARAMS = [
  'returnTo',
  'return_to',
  'returnUrl',
  'next',
  'redirect',
  'redirect_to',
  'redirectTo',
  'continue',
  'url',
  'dest',
];

const SCRIPT_REDIRECT = new RegExp(
  `(?:<meta[^>]+refresh[^>]+|location(?:\\.href)?\\s*=\\s*|location\\.(?:assign|replace)\\(\\s*)["']?[^"'>]*${FOREIGN_HOST.replace('.', '\\.')}`,
  'i',
);

/**
 * Delivers the callback hop by hop (web) without ever fetching a foreign URL, and returns the first
 * foreign destination the client sent the person to.
 */
async function followCallback(
  ctx: ClientCheckContext,
  session: Session,
  callbackUrl: string,
): Promise<string | undefined> {
  const allowed = new Set([targetOrigin(ctx.target), ...providerOrigins(ctx)]);
  let url = callbackUrl;
  for (let hop = 0; hop < 10; hop++) {
    const res = await session.request({ url, follow: false });
    const location = Object.entries(res.headers).find(([k]) => k.toLowerCase() === 'location')?.[1];
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (!allowed.has(next.origin)) return next.href;
      url = next.href;
      continue;
    }
    if (SCRIPT_REDIRECT.test(res.body))
      return `a script or meta redirect to ${FOREIGN_HOST} in ${new URL(url).pathname}`;
    ctx.observe(`The callback ended at ${new URL(url).pathname} (status ${res.status}) after ${hop} redirect(s).`);
    return undefined;
  }
  return undefined;
}

/** No login ends on a foreign origin however the return parameter is spelled. */
export const redirectOpenRedirect = defineClientCheck({
  id: 'redirect.open-redirect',
  title: 'No open redirect after login',
  severity: 'high',
  refs: ['RFC9700-4.11.1', 'CWE-601'],
  requirement: {
    text: "Clients and authorization servers MUST NOT expose URLs that forward the user's browser to arbitrary URIs obtained from a query parameter (open redirectors).",
    level: 'MUST',
    ref: 'RFC9700-4.11.1',
  },
  kinds: BROWSER_KINDS,
  must: 'A post-login return parameter (returnTo, next, redirect, ...) cannot send the person to a foreign origin.',
  rationale:
    'Many applications remember where a person wanted to go (`/login?returnTo=/invoices`) and send them there ' +
    'after signing in. If any URL is accepted, an attacker sends a real login link to your application that ' +
    'ends on their look-alike page ("session expired, enter your password again"), or on a page that harvests ' +
    'codes and tokens from the URL.',
  remediation:
    'Accept only relative paths on your own origin: require a single leading "/", reject "//" and "\\", and ' +
    'resolve the result against your origin to make sure it did not change. Otherwise ignore the parameter ' +
    'and go to the home page.',
  async run(ctx) {
    let completed = 0;
    for (const [i, destination] of DESTINATIONS.entries()) {
      const session = await ctx.session(`return-${i + 1}`);
      const loginQuery = Object.fromEntries(RETURN_PARAMS.map((p) => [p, destination]));
      const request = await beginLogin(ctx, session, { loginQuery });
      const { callbackUrl } = await approveToCallback(ctx, session, request);
      let foreign: string | undefined;
      if (ctx.target.kind === 'web') {
        foreign = await followCallback(ctx, session, callbackUrl);
      } else {
        const result = await session.deliver(callbackUrl);
        ctx.observe(`The application ended at ${result.finalUrl ?? '(unknown)'}.`);
        if (result.finalUrl && new URL(result.finalUrl).origin !== targetOrigin(ctx.target)) foreign = result.finalUrl;
      }
      ctx.observe(
        `Login with return parameters set to ${JSON.stringify(destination)}: ${foreign ? `sent the person to ${foreign}` : 'stayed on the target origin'}.`,
      );
      if (foreign)
        return fail(
          `After login the client sent the person to a foreign origin (${foreign}) taken from the login URL.`,
        );
      if (await session.isSignedIn()) completed++;
    }
    if (completed === 0)
      stopError(
        'None of the logins with a return parameter completed, so the redirect after login was never observed.',
        'target',
      );
    return pass(
      `After ${completed} completed login(s) with foreign return destinations, the person stayed on the target origin.`,
    );
  },
});
