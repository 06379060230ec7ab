/**
 * Fabricated reports for the writer tests and the HTML end-to-end test: a small builder of results,
 * a mixed catalog-like set, and a hostile target that puts script and markup into every field it
 * controls.
 */
import { buildReport, type BuildReportInput } from '../build.js';
import type { CheckResult, Judgement, Report, TranscriptEntryModel } from '../model.js';

/** Payloads a hostile target puts into the fields it controls. */
export const HOSTILE_PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "'><iframe src=javascript:alert(1)>",
  '</script><script>window.__lhXss=1</script>',
  '<a href="javascript:alert(1)">click</a>',
  '<img src=x onerror="window.__lhXss=1">',
  '<!--',
  ']]><x/>',
  '\u001b]0;pwned\u0007\u001b[2J',
] as const;

/** All payloads in one string. */
export const HOSTILE = HOSTILE_PAYLOADS.join(' ');

const CLIENT = 'http://127.0.0.1:4100';
const IDP = 'http://127.0.0.1:4200';

/** The transcript of one login: user agent, client and provider. */
export function loginTranscript(opts: { client?: string; idp?: string; extra?: string } = {}): TranscriptEntryModel[] {
  const client = opts.client ?? CLIENT;
  const idp = opts.idp ?? IDP;
  const extra = opts.extra ?? '';
  return [
    {
      seq: 1,
      at: 0,
      agent: 'http',
      method: 'GET',
      url: `${client}/login${extra ? `?returnTo=${encodeURIComponent(extra)}` : ''}`,
      requestHeaders: { accept: 'text/html' },
      status: 302,
      responseHeaders: { location: `${idp}/authorize?response_type=code&state=st-1&code_challenge=cc-1` },
    },
    {
      seq: 2,
      at: 5,
      agent: 'http',
      method: 'GET',
      url: `${idp}/authorize?response_type=code&state=st-1&code_challenge=cc-1`,
      requestHeaders: { 'x-login-harness-tag': 'check-1' },
      status: 302,
      responseHeaders: { location: `${client}/callback?code=[redacted code]&state=st-1` },
    },
    {
      seq: 3,
      at: 7,
      agent: 'provider',
      method: 'POST',
      url: `${idp}/token`,
      requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
      requestBody: 'grant_type=authorization_code&code=[redacted code]&code_verifier=[redacted verifier]',
      status: 200,
      responseHeaders: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      responseBody: '{"access_token":"[redacted access token]","token_type":"Bearer"}',
    },
    {
      seq: 4,
      at: 9,
      agent: 'http',
      method: 'GET',
      url: `${client}/callback?code=[redacted code]&state=st-1`,
      requestHeaders: { referer: `${idp}/authorize` },
      status: 200,
      responseHeaders: { 'content-type': 'text/html', ...(extra ? { 'x-target': extra } : {}) },
      responseBody: `<html><body>Signed in ${extra}</body></html>`,
      ...(extra ? { note: extra } : {}),
    },
  ];
}

/**
 * A judgement as the policy judge makes it: a violated MUST that an allowance (PKCE working in the same
 * run, a client of one provider) turns into a warning under the default policy; override any field.
 */
export function makeJudgement(overrides: Partial<Judgement> = {}): Judgement {
  return {
    policy: 'rfc9700',
    finding: 'fail',
    requirement: {
      text: 'The client MUST prevent CSRF: a callback it did not start is refused.',
      level: 'MUST',
      reference: {
        key: 'RFC9700-4.7.1',
        url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1',
        label: 'RFC 9700 §4.7.1',
      },
    },
    allowances: [
      {
        name: 'PKCE binds the login to the browser',
        text: 'Clients that have ensured that the authorization server supports PKCE MAY rely on the CSRF protection provided by PKCE.',
        reference: {
          key: 'RFC9700-4.7.1',
          url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1',
          label: 'RFC 9700 §4.7.1',
        },
        facts: [{ fact: 'single-provider', holds: true }],
        controls: [
          { id: 'pkce.s256', verdict: 'pass' },
          { id: 'pkce.verifier-fresh', verdict: 'pass' },
        ],
        held: 'yes',
      },
    ],
    reason:
      'RFC 9700 §4.7.1 is a MUST, but the text allows otherwise when PKCE binds the login to the browser (RFC 9700 §4.7.1), and that held in this run: reported as a warning.',
    verdicts: { rfc9700: 'warn', strict: 'fail', fapi2: 'warn' },
    ...overrides,
  };
}

/** One result with sensible defaults; override any field. */
export function makeResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    id: 'state.mismatch',
    title: 'Callback with an altered state is rejected',
    severity: 'high',
    verdict: 'fail',
    summary: 'The client redeemed the code of a callback whose state had been altered.',
    references: [
      { key: 'RFC6749-10.12', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.12', label: 'RFC 6749 §10.12' },
      { key: 'RFC9700-4.7', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.7', label: 'RFC 9700 §4.7' },
    ],
    must: 'A callback with an altered state is rejected: code not redeemed, not signed in.',
    rationale: 'Without a state bound to the session, an attacker can log a victim into the attacker account.',
    remediation: 'Store the state in the session and compare it with the callback before redeeming the code.',
    fault: 'callback.tamper-state',
    observations: [
      { text: 'The token endpoint received the code of the tampered callback.', data: { redeemed: true } },
    ],
    transcript: loginTranscript(),
    startedAt: '2026-01-10T10:00:00.100Z',
    durationMs: 120,
    ...overrides,
  };
}

/** A mixed set: every verdict, every severity, client families and a provider check. */
export function catalogResults(): CheckResult[] {
  const base = (
    id: string,
    severity: CheckResult['severity'],
    verdict: CheckResult['verdict'],
    extra: Partial<CheckResult> = {},
  ) =>
    makeResult({
      id,
      severity,
      verdict,
      title: `Title of ${id}`,
      summary: `${id} ended ${verdict}.`,
      transcript: verdict === 'not-applicable' ? [] : loginTranscript(),
      ...extra,
    });
  return [
    base('state.present', 'high', 'pass'),
    base('state.mismatch', 'high', 'fail'),
    base('state.replay', 'medium', 'warn', { judgement: makeJudgement() }),
    base('pkce.present', 'high', 'pass'),
    base('pkce.s256', 'high', 'fail', {
      judgement: makeJudgement({
        requirement: {
          text: 'Clients MUST use the S256 code challenge method if they are capable of it.',
          level: 'MUST',
          reference: {
            key: 'RFC7636-4.2',
            url: 'https://www.rfc-editor.org/rfc/rfc7636#section-4.2',
            label: 'RFC 7636 §4.2',
          },
        },
        allowances: [],
        reason: 'Violated a MUST of RFC 7636 §4.2.',
        verdicts: { rfc9700: 'fail', strict: 'fail', fapi2: 'fail' },
      }),
    }),
    base('pkce.verifier-format', 'medium', 'fail'),
    base('id-token.alg-none', 'critical', 'fail'),
    base('id-token.kid-rotation', 'low', 'not-applicable', { summary: 'The driver does not implement refresh.' }),
    base('leak.logs', 'medium', 'fail'),
    base('nonce.present', 'low', 'fail'),
    base('logout.revoke', 'low', 'error', { errorKind: 'target', summary: 'The target exited during the check.' }),
    base('scope.minimal', 'info', 'pass'),
  ];
}

/** A report built from `results` (default {@link catalogResults}) with fixed times. */
export function makeReport(overrides: Partial<BuildReportInput> = {}): Report {
  return buildReport({
    mode: 'client',
    target: { name: 'acme-invoicing', kind: 'web', profile: 'lexoffice', manifest: 'examples/acme/target.json' },
    seed: 42,
    startedAt: '2026-01-10T10:00:00.000Z',
    finishedAt: '2026-01-10T10:00:03.500Z',
    status: 'complete',
    results: catalogResults(),
    ...overrides,
  });
}

/**
 * A report of a hostile target: the target name, summaries, observations (text and data) and every
 * transcript field carry {@link HOSTILE}. Check ids, titles, rationale and references come from the
 * catalog, but a `javascript:` reference is planted too, to show it never becomes a link.
 */
export function hostileReport(): Report {
  const results = catalogResults().map((r, i) => ({
    ...r,
    summary: `${r.summary} ${HOSTILE}`,
    observations: [{ text: `Observed ${HOSTILE}`, data: { body: HOSTILE, [HOSTILE]: i } }],
    transcript: loginTranscript({ extra: HOSTILE }).map((t) => ({
      ...t,
      requestHeaders: { ...t.requestHeaders, [`x-evil-${i}`]: HOSTILE },
      requestBody: `${t.requestBody ?? ''}${HOSTILE}`,
    })),
    ...(i === 1
      ? {
          references: [{ key: 'CWE-79', url: 'javascript:alert(1)', label: `evil ${HOSTILE}` }, ...r.references],
        }
      : {}),
    ...(i === 2 ? { baselined: { justification: HOSTILE, expires: '2027-01-31' } } : {}),
    // Judgements come from the catalog, not the target; writers escape them all the same.
    ...(r.verdict === 'pass'
      ? {}
      : {
          judgement: makeJudgement({
            requirement: {
              text: `MUST ${HOSTILE}`,
              level: 'MUST',
              reference: { key: 'X', url: 'javascript:alert(1)', label: `ref ${HOSTILE}` },
            },
            allowances: [
              {
                ...makeJudgement().allowances[0],
                name: `allowance ${HOSTILE}`,
                text: `quoted ${HOSTILE}`,
                controls: [{ id: `control${HOSTILE}`, verdict: 'pass' }],
              },
            ],
            reason: `reason ${HOSTILE}`,
          }),
        }),
  }));
  return makeReport({
    target: {
      name: `acme ${HOSTILE}`,
      kind: `web${HOSTILE}`,
      profile: `lexoffice ${HOSTILE}`,
      manifest: `targets/${HOSTILE}.json`,
    },
    results,
  });
}
