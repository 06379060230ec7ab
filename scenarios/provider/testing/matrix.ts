/**
 * The efficacy matrix of the provider checks: for each permissive mode of the mock, the verdicts other
 * than `pass` an audit of the mock with that mode on must produce, and nothing else.
 *
 * Beyond the check made for each mode, a few modes necessarily show up elsewhere, because they switch
 * off more than one rule:
 * - `verifier-not-checked` accepts any verifier or none, so a missing verifier (downgrade-token), a
 *   verifier without a challenge (downgrade-authz) and a malformed verifier (verifier-format) pass too;
 *   whether a failed attempt burns the code cannot be observed when no attempt fails (not-applicable).
 * - `codes-reusable`: a replay that succeeds is not treated as a replay (replay-revokes not-applicable).
 * - `no-refresh-rotation`: there is no rotated token to reuse (reuse-revokes not-applicable).
 * - `errors-not-rfc`: the password grant probe's answer carries no error code, so ropc-disabled cannot
 *   tell refused from processed (error, target).
 * - `codes-reusable` also lets simultaneous redemptions all succeed (code.concurrent); with
 *   `no-refresh-rotation` simultaneous refreshes may all succeed, which is not a race (not-applicable).
 * - `redirect-on-invalid-redirect-uri` leaves the audit no page of the authorization endpoint to frame.
 * - `failed-verifier-keeps-code` is a warning, not a failure: no RFC requires burning the code.
 */
import { providerCatalogOf } from '../../../harness/cli/catalog.js';
import type { PermissiveMode } from '../../../mock-idp/types.js';
import type { Verdict } from '../../types.js';
import { runProviderChecks } from '../../../harness/provider/audit.js';
import { providerChecks } from '../catalog.js';
import { prepareEmbeddedAudit } from '../../../harness/provider/embedded.js';
import lexofficeDiscovery from '../../../mock-idp/profiles/lexoffice.json' with { type: 'json' };

/**
 * Non-pass verdicts of the strict lexoffice profile: it does not advertise RFC 9207, PAR or DPoP;
 * opt-in checks are off.
 */
export const STRICT_NOT_APPLICABLE = [
  'provider.iss-param',
  'provider.par.required',
  'provider.par.request-uri-single-use',
  'provider.par.request-uri-bound',
  'provider.dpop.bound',
  'provider.dpop.replay',
  'provider.dpop.refresh-bound',
  'provider.code.lifetime',
  'provider.refresh.idle-expiry',
];

/**
 * The permissive modes of PAR and DPoP, audited against the `lexoffice` document with PAR required and
 * DPoP offered (so public clients exist for the refresh binding), see {@link MODERN_DISCOVERY}.
 */
export const DPOP_PAR_MODES: readonly PermissiveMode[] = [
  'par-not-required',
  'request-uri-reusable',
  'request-uri-not-bound',
  'dpop-binding-not-checked',
  'dpop-replay-not-detected',
  'dpop-refresh-not-bound',
];

/** The lexoffice discovery document plus a required PAR endpoint and DPoP (RFC 9126, RFC 9449). */
export const MODERN_DISCOVERY = {
  ...lexofficeDiscovery,
  pushed_authorization_request_endpoint: 'https://login.lexoffice.io/oauth2/par',
  require_pushed_authorization_requests: true,
  dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
};

/** Non-pass verdicts of the strict mock serving {@link MODERN_DISCOVERY}. */
export const MODERN_NOT_APPLICABLE = ['provider.iss-param', 'provider.code.lifetime', 'provider.refresh.idle-expiry'];

export const EXPECTED: Record<PermissiveMode, Record<string, Verdict>> = {
  'pkce-not-required': { 'provider.pkce.required': 'fail' },
  'verifier-not-checked': {
    'provider.pkce.verifier-checked': 'fail',
    'provider.pkce.downgrade-token': 'fail',
    'provider.pkce.downgrade-authz': 'fail',
    'provider.pkce.verifier-format': 'fail',
    'provider.pkce.failed-attempt-burns-code': 'not-applicable',
  },
  'verifier-optional': { 'provider.pkce.downgrade-token': 'fail' },
  'verifier-without-challenge-accepted': { 'provider.pkce.downgrade-authz': 'fail' },
  'plain-allowed': { 'provider.pkce.plain-rejected': 'fail' },
  'verifier-format-not-checked': { 'provider.pkce.verifier-format': 'fail' },
  'failed-verifier-keeps-code': { 'provider.pkce.failed-attempt-burns-code': 'warn' },
  'codes-reusable': {
    'provider.code.single-use': 'fail',
    'provider.code.replay-revokes': 'not-applicable',
    'provider.code.concurrent': 'fail',
  },
  'replay-does-not-revoke': { 'provider.code.replay-revokes': 'fail' },
  'code-not-bound-to-client': { 'provider.code.bound-client': 'fail' },
  'code-not-bound-to-redirect-uri': { 'provider.code.bound-redirect-uri': 'fail' },
  'redirect-uri-prefix-match': { 'provider.redirect-uri.exact': 'fail' },
  // The error page is replaced by a redirect, so the audit sees no page of the authorization endpoint to frame.
  'redirect-on-invalid-redirect-uri': {
    'provider.redirect-uri.error-no-redirect': 'fail',
    'provider.authz.clickjacking': 'not-applicable',
  },
  'state-not-echoed': { 'provider.state.echo': 'fail' },
  // The mode advertises RFC 9207, so the check applies (it is not-applicable in the strict profile).
  'iss-param-wrong': { 'provider.iss-param': 'fail' },
  'no-cache-control': { 'provider.token.cache-control': 'fail' },
  'client-auth-not-required': { 'provider.token.client-auth-required': 'fail' },
  'low-entropy-tokens': { 'provider.token.entropy': 'fail' },
  'no-refresh-rotation': {
    'provider.refresh.rotation': 'fail',
    'provider.refresh.reuse-revokes': 'not-applicable',
    'provider.refresh.concurrent': 'not-applicable',
  },
  'refresh-reuse-not-detected': { 'provider.refresh.reuse-revokes': 'fail' },
  'refresh-not-bound-to-client': { 'provider.refresh.bound-client': 'fail' },
  'implicit-enabled': { 'provider.flows.implicit-disabled': 'fail' },
  'ropc-enabled': { 'provider.flows.ropc-disabled': 'fail' },
  'errors-not-rfc': { 'provider.errors.format': 'fail', 'provider.flows.ropc-disabled': 'error' },
  'errors-reflect-unescaped': { 'provider.errors.escaped': 'fail' },
  'api-bearer-query-accepted': { 'provider.api.bearer-query-refused': 'fail' },
  'par-not-required': { 'provider.par.required': 'fail' },
  // RFC 9126 4: one-time use is a SHOULD: the finding is fail, which the default policy reports as a warning.
  'request-uri-reusable': { 'provider.par.request-uri-single-use': 'fail' },
  'request-uri-not-bound': { 'provider.par.request-uri-bound': 'fail' },
  'dpop-binding-not-checked': { 'provider.dpop.bound': 'fail' },
  'dpop-replay-not-detected': { 'provider.dpop.replay': 'fail' },
  'dpop-refresh-not-bound': { 'provider.dpop.refresh-bound': 'fail' },
  'client-assertion-aud-not-checked': { 'provider.client-auth.private-key-jwt': 'fail' },
  'client-assertion-exp-not-checked': { 'provider.client-auth.private-key-jwt': 'fail' },
  'client-assertion-replay-allowed': { 'provider.client-auth.private-key-jwt': 'fail' },
  'client-assertion-alg-none-accepted': { 'provider.client-auth.private-key-jwt': 'fail' },
  'code-redemption-race': { 'provider.code.concurrent': 'fail' },
  'refresh-rotation-race': { 'provider.refresh.concurrent': 'fail' },
  'framing-allowed': { 'provider.authz.clickjacking': 'fail' },
  'redirect-307-after-post': { 'provider.authz.no-307': 'fail' },
};

/** Audits the mock with one permissive mode (full catalog) and returns every verdict other than pass, by id. */
/**
 * The matrix runs as two test files so the halves run in parallel: PKCE, codes and redirect URIs
 * (matrix-pkce-code.test.ts) and every other mode (matrix-rest.test.ts). Together they are every mode.
 */
export const PKCE_CODE_MODES: readonly PermissiveMode[] = [
  'pkce-not-required',
  'verifier-not-checked',
  'verifier-optional',
  'verifier-without-challenge-accepted',
  'plain-allowed',
  'verifier-format-not-checked',
  'failed-verifier-keeps-code',
  'codes-reusable',
  'replay-does-not-revoke',
  'code-not-bound-to-client',
  'code-not-bound-to-redirect-uri',
  'redirect-uri-prefix-match',
  'redirect-on-invalid-redirect-uri',
];
export const REST_MODES: readonly PermissiveMode[] = (Object.keys(EXPECTED) as PermissiveMode[]).filter(
  (m) => !PKCE_CODE_MODES.includes(m) && !DPOP_PAR_MODES.includes(m),
);

export async function auditWithMode(
  mode: PermissiveMode | undefined,
  opts: { discovery?: unknown; only?: string[]; profile?: 'fapi2' } = {},
): Promise<Record<string, Verdict>> {
  const audit = await prepareEmbeddedAudit({
    permissive: mode ? [mode] : [],
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.discovery !== undefined ? { discovery: opts.discovery } : {}),
  });
  try {
    const { results } = await runProviderChecks(providerCatalogOf(providerChecks), audit.setup, {
      concurrency: 6,
      ...(opts.only ? { only: opts.only } : {}),
    });
    return Object.fromEntries(results.filter((r) => r.verdict !== 'pass').map((r) => [r.id, r.verdict]));
  } finally {
    await audit.close();
  }
}

/** The expected non-pass verdicts for a mode: its own, plus the strict profile's not-applicable ones it leaves alone. */
export function expectedFor(mode: PermissiveMode): Record<string, Verdict> {
  const own = EXPECTED[mode];
  const base = Object.fromEntries(
    STRICT_NOT_APPLICABLE.filter((id) => !(id in own)).map((id) => [id, 'not-applicable' as Verdict]),
  );
  return { ...base, ...own };
}
