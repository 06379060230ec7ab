/**
 * Error responses: RFC 6749 5.2 JSON with the right status codes, and no markup reflected unescaped on
 * error pages (CWE-79).
 */
import { defineProviderCheck } from '../define.js';
import type { TokenResponse } from '../../harness/provider/client.js';
import { fail, pass, tokenData } from './verdicts.js';

/** Error codes RFC 6749 5.2 defines for the token endpoint. */
const TOKEN_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

/** What a probe's error response must look like. */
interface ProbeExpectation {
  error: string;
  status: number[];
  /** Scheme the 401's WWW-Authenticate must name. */
  wwwAuthenticate?: string;
}

/** What is wrong with a token error response, judged against RFC 6749 5.2; empty when it is right. */
function tokenErrorProblems(t: TokenResponse, expect: ProbeExpectation): string[] {
  const problems: string[] = [];
  if (!expect.status.includes(t.status)) problems.push(`status ${t.status} (expected ${expect.status.join(' or ')})`);
  if (!/^application\/json\b/i.test(t.headers['content-type'] ?? ''))
    problems.push(`content-type ${JSON.stringify(t.headers['content-type'] ?? null)} (expected application/json)`);
  if (!t.json) problems.push('the body is not a JSON object');
  else if (typeof t.json.error !== 'string') problems.push('no `error` member');
  else if (!TOKEN_ERRORS.has(t.json.error))
    problems.push(`error ${JSON.stringify(t.json.error)} is not an RFC 6749 5.2 code`);
  else if (t.json.error !== expect.error) problems.push(`error ${t.json.error} (expected ${expect.error})`);
  // RFC 6749 5.2: a 401 for a client that used the Authorization header MUST carry WWW-Authenticate with its scheme.
  if (
    expect.wwwAuthenticate &&
    !new RegExp(`^${expect.wwwAuthenticate}\\b`, 'i').test(t.headers['www-authenticate'] ?? '')
  ) {
    problems.push(`no WWW-Authenticate: ${expect.wwwAuthenticate} header on the 401`);
  }
  return problems;
}

export const errorsFormat = defineProviderCheck({
  id: 'provider.errors.format',
  title: 'Errors are RFC 6749 JSON with the right status codes',
  severity: 'low',
  refs: ['RFC6749-5.2'],
  requirement: {
    text: 'The authorization server responds with an HTTP 400 (Bad Request) status code (unless specified otherwise) and includes the parameters in the entity-body using the "application/json" media type.',
    level: 'MUST',
    ref: 'RFC6749-5.2',
  },
  must: 'errors are RFC 6749 JSON with the right status codes',
  rationale:
    'Clients decide what to do from the `error` code and the status (retry, re-authenticate, give up). Errors in another shape (HTML, 200 OK) make clients treat failures as successes or crash on them.',
  remediation:
    'Answer token endpoint errors with `application/json` bodies `{"error": ..., "error_description": ...}`, status 400, and 401 with `WWW-Authenticate` for failed client authentication.',
  catches: ['errors-not-rfc'],
  async run(ctx) {
    const client = ctx.client();
    const problems: string[] = [];
    const probes: Array<{
      name: string;
      run: () => Promise<TokenResponse>;
      expect: ProbeExpectation;
    }> = [
      {
        name: 'an unknown code',
        run: () =>
          client.tokenRequest({
            grant_type: 'authorization_code',
            code: 'lh-unknown-code-0000000000',
            redirect_uri: client.client.redirectUri,
            code_verifier: 'A'.repeat(43),
          }),
        expect: { error: 'invalid_grant', status: [400] },
      },
      {
        name: 'an unknown grant type',
        run: () => client.tokenRequest({ grant_type: 'urn:login-harness:unknown' }),
        expect: { error: 'unsupported_grant_type', status: [400] },
      },
    ];
    const confidential = ctx.clients.confidential;
    if (confidential?.authMethod === 'client_secret_basic') {
      // RFC 6749 5.2: a client that authenticated with the Authorization header gets 401.
      probes.push({
        name: 'a wrong client secret in the Authorization header',
        run: () =>
          ctx.client(confidential).tokenRequest(
            {
              grant_type: 'authorization_code',
              code: 'lh-unknown-code-0000000000',
              redirect_uri: confidential.redirectUri,
            },
            { auth: 'wrong-secret' },
          ),
        expect: { error: 'invalid_client', status: [401], wwwAuthenticate: 'Basic' },
      });
    } else {
      probes.push({
        name: 'an unknown client_id',
        run: () =>
          client.tokenRequest(
            {
              grant_type: 'authorization_code',
              code: 'lh-unknown-code-0000000000',
              redirect_uri: client.client.redirectUri,
            },
            {
              client: {
                ...client.client,
                label: 'unknown',
                id: `lh-unknown-client-${Math.floor(ctx.random() * 1e9)}`,
                authMethod: 'none',
                secret: undefined,
              },
            },
          ),
        expect: { error: 'invalid_client', status: [400, 401] },
      });
    }
    for (const probe of probes) {
      const t = await probe.run();
      const found = tokenErrorProblems(t, probe.expect);
      ctx.observe(
        `Token request with ${probe.name}: ${found.length ? found.join('; ') : 'a correct RFC 6749 5.2 error'}.`,
        tokenData(t),
      );
      if (found.length) problems.push(`${probe.name}: ${found.join('; ')}`);
    }
    if (problems.length) return fail(`Error responses do not follow RFC 6749 5.2: ${problems.join(' | ')}.`);
    return pass('Token endpoint errors were RFC 6749 5.2 JSON with the right status codes.');
  },
});

export const errorsEscaped = defineProviderCheck({
  id: 'provider.errors.escaped',
  title: 'Error pages do not reflect markup',
  severity: 'high',
  refs: ['CWE-79', 'RFC6749-4.1.2.1'],
  requirement: {
    text: 'The authorization server and client MUST sanitize (and validate when possible) any value received.',
    level: 'MUST',
    ref: 'RFC6749-10.14',
  },
  must: 'markup sent in parameters is not reflected unescaped on error pages',
  rationale:
    "Error pages at the authorization endpoint are shown on the provider's own origin. If they echo parameters as raw HTML, a crafted link runs script there: the attacker can then read the person's session or approve grants in their name.",
  remediation:
    'HTML-escape every value that comes from the request before putting it into a page; prefer static error texts.',
  catches: ['errors-reflect-unescaped'],
  async run(ctx) {
    const client = ctx.client();
    await client.obtainCode();
    ctx.observe(
      'Control: a correct authorization request got a code, so a page instead of a redirect below is the provider refusing.',
    );
    const tag = `lhx${Math.floor(ctx.random() * 1e9).toString(36)}`;
    const markup = `<${tag} onmouseover=alert(1)>"'`;
    const probes = [
      {
        name: 'redirect_uri',
        pending: client.authorizationRequest({ redirectUri: `https://attacker.example/${markup}` }),
      },
      { name: 'client_id', pending: client.authorizationRequest({ extra: { client_id: markup } }) },
      {
        name: 'response_type',
        pending: client.authorizationRequest({
          extra: { response_type: markup, redirect_uri: 'https://attacker.example/cb' },
        }),
      },
      {
        name: 'scope',
        pending: client.authorizationRequest({ extra: { scope: markup, redirect_uri: 'https://attacker.example/cb' } }),
      },
    ];
    const reflected: string[] = [];
    let pages = 0;
    for (const probe of probes) {
      const r = await client.authorize(probe.pending);
      if (r.kind !== 'page') {
        ctx.observe(`Markup in ${probe.name}: no error page (${r.kind === 'redirect' ? 'a redirect' : r.reason}).`);
        continue;
      }
      pages++;
      const raw = r.body.includes(`<${tag}`);
      ctx.observe(
        `Markup in ${probe.name}: error page ${r.status} (${r.contentType || 'no content-type'}) ${raw ? 'reflects it unescaped' : 'does not reflect it unescaped'}.`,
      );
      if (raw && !/json|text\/plain/i.test(r.contentType)) reflected.push(probe.name);
    }
    const t = await client.tokenRequest({ grant_type: markup, code: markup });
    const tokenRaw = t.body.includes(`<${tag}`) && /html/i.test(t.headers['content-type'] ?? '');
    ctx.observe(
      `Markup in the token endpoint's grant_type: ${t.status} (${t.headers['content-type'] ?? 'no content-type'})${tokenRaw ? ', reflected unescaped as HTML' : ''}.`,
      tokenData(t),
    );
    if (tokenRaw) reflected.push('token endpoint grant_type');
    if (reflected.length) return fail(`Markup was reflected unescaped in HTML error pages: ${reflected.join(', ')}.`);
    return pass(`No parameter was reflected unescaped (${pages} error pages and the token endpoint's error examined).`);
  },
});
