import { describe, expect, it } from 'vitest';
import { resolveRef } from '../refs.js';
import { providerChecks } from './catalog.js';
import { selectChecks } from '../../harness/runner/select.js';
import { PERMISSIVE_MODES } from '../../harness/provider/embedded.js';
import { EXPECTED } from './testing/matrix.js';

/** The "Provider checks" table of CHECKS.md, in its order (ids are stable). */
/** The CHECKS.md "Second wave: provider checks" table, in its order. */
const SECOND_WAVE_IDS = [
  'provider.par.required',
  'provider.par.request-uri-single-use',
  'provider.par.request-uri-bound',
  'provider.dpop.bound',
  'provider.dpop.replay',
  'provider.dpop.refresh-bound',
  'provider.code.concurrent',
  'provider.refresh.concurrent',
  'provider.authz.clickjacking',
  'provider.authz.no-307',
  'provider.client-auth.private-key-jwt',
];

const CHECKS_MD_IDS = [
  'provider.discovery.valid',
  'provider.discovery.pkce-advertised',
  'provider.pkce.required',
  'provider.pkce.verifier-checked',
  'provider.pkce.downgrade-token',
  'provider.pkce.downgrade-authz',
  'provider.pkce.plain-rejected',
  'provider.pkce.verifier-format',
  'provider.pkce.failed-attempt-burns-code',
  'provider.code.single-use',
  'provider.code.replay-revokes',
  'provider.code.bound-client',
  'provider.code.bound-redirect-uri',
  'provider.redirect-uri.exact',
  'provider.redirect-uri.error-no-redirect',
  'provider.state.echo',
  'provider.iss-param',
  'provider.token.cache-control',
  'provider.token.client-auth-required',
  'provider.token.entropy',
  'provider.refresh.rotation',
  'provider.refresh.reuse-revokes',
  'provider.refresh.bound-client',
  'provider.flows.implicit-disabled',
  'provider.flows.ropc-disabled',
  'provider.errors.format',
  'provider.errors.escaped',
  'provider.id-token.valid',
  'provider.api.bearer-query-refused',
];

const CHECKS_MD_SEVERITY: Record<string, string> = {
  'provider.pkce.verifier-checked': 'critical',
  'provider.pkce.downgrade-token': 'critical',
  'provider.code.bound-client': 'critical',
  'provider.redirect-uri.exact': 'critical',
  'provider.errors.format': 'low',
  'provider.discovery.valid': 'high',
  'provider.token.entropy': 'medium',
  'provider.code.concurrent': 'high',
  'provider.refresh.concurrent': 'medium',
  'provider.authz.clickjacking': 'medium',
  'provider.authz.no-307': 'low',
  'provider.client-auth.private-key-jwt': 'high',
};

describe('the provider check catalog', () => {
  it('lists every check of the CHECKS.md provider table in its order, then the opt-in checks', () => {
    const ids = providerChecks.map((c) => c.id);
    expect(ids.slice(0, CHECKS_MD_IDS.length)).toEqual(CHECKS_MD_IDS);
    // Then checks of the CHECKS.md second-wave table, in its order, then the opt-in checks.
    const rest = providerChecks.slice(CHECKS_MD_IDS.length);
    const firstOptIn = rest.findIndex((c) => c.optIn !== undefined);
    const secondWave = rest.slice(0, firstOptIn).map((c) => c.id);
    expect(secondWave).toEqual(SECOND_WAVE_IDS.filter((id) => secondWave.includes(id)));
    expect(rest.slice(firstOptIn).every((c) => c.optIn === 'slow')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the CHECKS.md default severities', () => {
    for (const [id, severity] of Object.entries(CHECKS_MD_SEVERITY)) {
      expect(providerChecks.find((c) => c.id === id)?.severity).toBe(severity);
    }
  });

  it('gives every check a title, a must, a rationale, a remediation and references that resolve', () => {
    for (const c of providerChecks) {
      expect(c.target).toBe('provider');
      for (const text of [c.title, c.must, c.rationale, c.remediation]) expect(text.length).toBeGreaterThan(10);
      expect(c.refs.length).toBeGreaterThan(0);
      for (const ref of c.refs) expect(resolveRef(ref).url).toMatch(/^https:\/\//);
    }
  });

  it('names, for every permissive mode of the mock, a check made to catch it, and the matrix expects that check to stop passing', () => {
    for (const mode of PERMISSIVE_MODES) {
      const catchers = providerChecks.filter((c) => c.catches?.includes(mode)).map((c) => c.id);
      expect(catchers, mode).toHaveLength(1);
      expect(Object.keys(EXPECTED[mode]), mode).toContain(catchers[0]);
    }
  });

  it('is selected by the one selector of both audits: exact id or family prefix, skipped the same way', () => {
    const pkce = selectChecks(providerChecks, { only: ['provider.pkce'] });
    expect(pkce.map((c) => c.id)).toHaveLength(7);
    expect(selectChecks(providerChecks, { only: ['provider.pkce.'] })).toEqual(pkce);
    const skipped = selectChecks(providerChecks, { skip: ['provider.pkce', 'provider.code.lifetime'] });
    expect(skipped.some((c) => c.id.startsWith('provider.pkce.') || c.id === 'provider.code.lifetime')).toBe(false);
    expect(skipped).toHaveLength(providerChecks.length - 8);
  });

  it('refuses a selector that names no check: a prefix matches whole segments, so a cut-off id names nothing', () => {
    expect(() => selectChecks(providerChecks, { only: ['provider.code.single'] })).toThrow(
      /--only: no check has the id or prefix "provider\.code\.single" \(did you mean "provider\.code\.single-use"\?\)/,
    );
    expect(() => selectChecks(providerChecks, { skip: ['provider.pkce.plian'] })).toThrow(
      /--skip: no check has the id or prefix "provider\.pkce\.plian"/,
    );
  });
});
