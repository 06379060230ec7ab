/** callback.error-xss: markup in `error` / `error_description` is not reflected unescaped (CWE-79). */
import { approveToCallback, beginLogin, deliverCallback } from '../lib/flow.js';
import { reflectsMarkupUnescaped, xssPayload } from '../lib/page.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopError } from '../lib/outcome.js';

/** Markup in the error parameters of a callback must not reach the page raw. */
export const callbackErrorXss = defineClientCheck({
  id: 'callback.error-xss',
  title: 'Error parameters are not reflected unescaped',
  severity: 'high',
  refs: ['RFC6749-4.1.2.1', 'CWE-79'],
  requirement: {
    text: 'The authorization server and client MUST sanitize (and validate when possible) any value received.',
    level: 'MUST',
    ref: 'RFC6749-10.14',
  },
  kinds: BROWSER_KINDS,
  faults: ['callback.error'],
  must: 'Markup in `error` / `error_description` is not reflected unescaped.',
  rationale:
    'The `error` and `error_description` parameters of a callback come from the URL, so an attacker controls ' +
    'them: they can send a victim a link to your callback with `error_description=<img src=x onerror=...>`. If ' +
    'your error page inserts the text as HTML, the attacker’s script runs on your origin (reflected XSS) and ' +
    'can read what the person sees or act on their behalf.',
  remediation:
    'Render callback parameters only as text: use your template engine’s escaping (never `|safe`, `innerHTML`, ' +
    '`dangerouslySetInnerHTML` or `v-html` for them). Better still, show a fixed message per known error code ' +
    'and do not echo `error_description` at all.',
  async run(ctx) {
    const fault = {
      name: 'callback.error' as const,
      error: xssPayload('error'),
      errorDescription: xssPayload('error_description'),
    };
    ctx.arm(fault);
    ctx.observe('Armed callback.error with script-carrying markup in error and error_description.', fault);
    const session = await ctx.session('xss');
    const request = await beginLogin(ctx, session);
    const { callbackUrl } = await approveToCallback(ctx, session, request);
    const callback = await deliverCallback(ctx, session, callbackUrl, 'callback with markup in its error parameters');
    const body = callback.body;
    if (body === undefined) stopError('The user agent did not return the page the callback produced.', 'harness');
    const raw = reflectsMarkupUnescaped(body);
    const events = session.scriptEvents?.() ?? [];
    const ran = events.filter((e) => e.type === 'marker' || (e.type === 'dialog' && /error/.test(e.text)));
    ctx.observe(
      `The page after the callback (${body.length} characters) ${raw ? 'CONTAINS the markup unescaped' : 'does not contain the markup unescaped'}` +
        `${session.scriptEvents ? `; injected script ${ran.length > 0 ? 'RAN' : 'did not run'}` : ''}.`,
      { events: ran, excerpt: excerptAround(body) },
    );
    if (ran.length > 0) return fail('Script injected through the error parameters ran on the client’s page.');
    if (raw) return fail('The client reflects markup from the error parameters unescaped into its page.');
    return pass('The client does not reflect markup from the error parameters unescaped.');
  },
});

function excerptAround(body: string): string {
  const i = body.search(/lh-xss-probe|onerror/i);
  return i < 0 ? '' : body.slice(Math.max(0, i - 80), i + 160);
}
