/** pkce.present and pkce.s256: the authorization request carries an S256 code challenge (RFC 7636). */
import { ordinaryRequest } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';
import { sentPkce } from '../lib/pkce.js';
import { CODE_INJECTION_DEFENCE, FAPI2_PKCE } from '../lib/allowances.js';

/** The authorization request carries `code_challenge`. */
export const pkcePresent = defineClientCheck({
  id: 'pkce.present',
  title: 'Authorization request uses PKCE',
  severity: 'high',
  refs: ['RFC9700-2.1.1', 'RFC7636-4.3'],
  requirement: { ...CODE_INJECTION_DEFENCE, fapi2: FAPI2_PKCE },
  must: 'The authorization request carries `code_challenge`.',
  rationale:
    'An authorization code travels through the browser and can be stolen: from logs, browser history, a ' +
    'malicious app registered for the same redirect URI, or by injection into another session. PKCE ties the ' +
    'code to a secret (the verifier) that never leaves your client, so a stolen code alone is worthless. ' +
    'RFC 9700 requires PKCE for every client, confidential ones included.',
  remediation:
    'For every login, generate a random `code_verifier` (32 random bytes, base64url-encoded), keep it in the ' +
    'session, and send `code_challenge=BASE64URL(SHA256(verifier))` with `code_challenge_method=S256` in the ' +
    'authorization request. Send the verifier as `code_verifier` in the token request.',
  async run(ctx) {
    const request = await ordinaryRequest(ctx);
    const sent = sentPkce(request.params);
    ctx.observe(sent ? `code_challenge is present (${sent.challenge.length} characters).` : 'No code_challenge.');
    return sent
      ? pass('The authorization request carries a code_challenge.')
      : fail('The authorization request carries no code_challenge: the client does not use PKCE.');
  },
});

/** `code_challenge_method=S256`, never plain. */
export const pkceS256 = defineClientCheck({
  id: 'pkce.s256',
  title: 'PKCE uses S256',
  severity: 'high',
  refs: ['RFC7636-4.2'],
  requirement: {
    text: 'If the client is capable of using "S256", it MUST use "S256", as "S256" is Mandatory To Implement (MTI) on the server.',
    level: 'MUST',
    ref: 'RFC7636-4.2',
    fapi2: FAPI2_PKCE,
  },
  must: '`code_challenge_method=S256`, never `plain`.',
  rationale:
    'With the `plain` method the challenge is the verifier itself, so anyone who sees the authorization request ' +
    '(browser history, logs, a proxy) learns the secret that was supposed to protect the code. Leaving out ' +
    '`code_challenge_method` means `plain` too.',
  remediation:
    'Always send `code_challenge_method=S256` with `code_challenge` set to the base64url-encoded SHA-256 hash of ' +
    'the verifier. Every provider that supports PKCE supports S256; there is no need for plain.',
  async run(ctx) {
    const request = await ordinaryRequest(ctx);
    const sent = sentPkce(request.params);
    if (!sent) stopNotApplicable('The client sends no code_challenge (see pkce.present).');
    ctx.observe(
      `code_challenge_method is ${sent.methodSent ? JSON.stringify(sent.method) : 'absent (which means plain)'}.`,
    );
    if (sent.method === 'S256') return pass('The client uses code_challenge_method=S256.');
    return fail(
      sent.methodSent
        ? `The client uses code_challenge_method=${sent.method}.`
        : 'The client sends no code_challenge_method, which means plain.',
    );
  },
});
