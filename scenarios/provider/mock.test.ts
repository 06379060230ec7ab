import { providerCatalogOf } from '../../harness/cli/catalog.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runProviderChecks } from '../../harness/provider/audit.js';
import { providerChecks } from './catalog.js';
import { prepareEmbeddedAudit, type PreparedAudit } from '../../harness/provider/embedded.js';
import type { SlowSettings } from '../../harness/provider/types.js';
import { auditWithMode, STRICT_NOT_APPLICABLE } from './testing/matrix.js';

let open: PreparedAudit | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/**
 * The embedded mock with the opt-in slow checks, on a frozen provider clock: a wait advances that clock
 * instead of sleeping out the lifetime (and takes `realMs` of real time).
 */
function prepareSlowAudit(opts: { realMs?: number; slow?: Partial<SlowSettings> } = {}): Promise<PreparedAudit> {
  let now = Date.parse('2026-11-01T10:00:00Z');
  return prepareEmbeddedAudit({
    optIns: ['slow'],
    clock: () => now,
    wait: async (ms) => {
      now += ms;
      if (opts.realMs) await new Promise((resolve) => setTimeout(resolve, opts.realMs));
    },
    ...(opts.slow ? { slow: opts.slow } : {}),
  });
}

describe('provider audit of the embedded mock', () => {
  it('passes every provider check in the strict lexoffice profile, except RFC 9207 (not advertised there) and the opt-in checks', async () => {
    const nonPass = await auditWithMode(undefined);
    expect(nonPass).toEqual(Object.fromEntries(STRICT_NOT_APPLICABLE.map((id) => [id, 'not-applicable'])));
  });

  it('runs the opt-in slow checks only when asked, and then code lifetime and refresh expiry are enforced', async () => {
    // The mock's refresh tokens live 30 days (an absolute lifetime; it has no separate idle expiry).
    open = await prepareSlowAudit({ slow: { refreshIdleMs: 31 * 24 * 3600 * 1000 } });
    // One at a time: each wait moves the shared clock.
    const { results } = await runProviderChecks(providerCatalogOf(providerChecks), open.setup, {
      only: ['provider.code.lifetime', 'provider.refresh.idle-expiry'],
      concurrency: 1,
    });
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['provider.code.lifetime', 'pass'],
      ['provider.refresh.idle-expiry', 'pass'],
    ]);
    expect(results[0].summary).toContain('605000 ms');
  });

  it("counts a check's waits as its waiting in the run's timings", async () => {
    // Each wait takes 40 ms of real time, which the timings must show.
    open = await prepareSlowAudit({ realMs: 40 });
    const { results, timings } = await runProviderChecks(providerCatalogOf(providerChecks), open.setup, {
      only: ['provider.code.lifetime'],
    });
    expect(results.map((r) => [r.id, r.verdict])).toEqual([['provider.code.lifetime', 'pass']]);
    const timing = timings?.checks.find((c) => c.id === 'provider.code.lifetime');
    // Timer granularity aside: each figure is rounded on its own.
    expect(timing?.waitMs).toBeGreaterThanOrEqual(38);
    expect(timing?.waitMs).toBeLessThanOrEqual((timing?.durationMs ?? 0) + 1);
  });

  it('reports the opt-in checks as not applicable without --opt-in slow, saying how to run them', async () => {
    open = await prepareEmbeddedAudit();
    const { results } = await runProviderChecks(providerCatalogOf(providerChecks), open.setup, {
      only: ['provider.code.lifetime'],
    });
    expect(results[0].verdict).toBe('not-applicable');
    expect(results[0].summary).toContain('--opt-in slow');
  });

  it('keeps every exchange as a redacted harness transcript: no code, token or secret the mock issued appears in full', async () => {
    open = await prepareEmbeddedAudit();
    const { results } = await runProviderChecks(providerCatalogOf(providerChecks), open.setup, {
      only: ['provider.code', 'provider.refresh', 'provider.token'],
      concurrency: 4,
    });
    const text = JSON.stringify(results);
    const ran = results.filter((r) => r.verdict === 'pass');
    expect(ran.length).toBeGreaterThan(8);
    expect(ran.every((r) => r.transcript.length > 0 && r.transcript.every((e) => e.agent === 'harness'))).toBe(true);
    const issued = open.mock?.idp.journal.secrets() ?? [];
    expect(issued.length).toBeGreaterThan(20);
    const leaked = issued.filter((s) => s.value.length >= 8 && text.includes(s.value));
    expect(leaked.map((s) => s.kind)).toEqual([]);
  });
});

describe('provider audit of the lexoffice-partner profile as the mock serves it', () => {
  it('documents that PKCE is not supported: metadata and enforcement checks fail with that reason, and the public-client checks do not apply', async () => {
    open = await prepareEmbeddedAudit({ profile: 'lexoffice-partner' });
    const { results } = await runProviderChecks(providerCatalogOf(providerChecks), open.setup, { concurrency: 6 });
    const by = Object.fromEntries(results.map((r) => [r.id, r]));
    const verdicts = Object.fromEntries(results.filter((r) => r.verdict !== 'pass').map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({
      // RFC 9700 2.1.1: servers MUST support PKCE and give clients a way to detect it.
      'provider.discovery.pkce-advertised': 'fail',
      // RFC 9700 2.1.1: a challenge that is sent MUST be enforced; the partner flow ignores it.
      'provider.pkce.verifier-checked': 'fail',
      'provider.pkce.downgrade-token': 'fail',
      // RFC 9700 4.8.2 / 2.1.1: a verifier without a challenge MUST be refused.
      'provider.pkce.downgrade-authz': 'fail',
      'provider.pkce.verifier-format': 'fail',
      'provider.pkce.failed-attempt-burns-code': 'not-applicable',
      // Only confidential clients (client_secret_basic) exist there.
      'provider.pkce.required': 'not-applicable',
      'provider.refresh.rotation': 'not-applicable',
      // S256 is not advertised, so "plain where S256 is supported" does not arise.
      'provider.pkce.plain-rejected': 'not-applicable',
      // Not an OpenID provider; no RFC 9207.
      'provider.id-token.valid': 'not-applicable',
      'provider.iss-param': 'not-applicable',
      // No PAR and no DPoP advertised.
      'provider.par.required': 'not-applicable',
      'provider.par.request-uri-single-use': 'not-applicable',
      'provider.par.request-uri-bound': 'not-applicable',
      'provider.dpop.bound': 'not-applicable',
      'provider.dpop.replay': 'not-applicable',
      'provider.dpop.refresh-bound': 'not-applicable',
      'provider.code.lifetime': 'not-applicable',
      'provider.refresh.idle-expiry': 'not-applicable',
      // client_secret_basic only: private_key_jwt is not advertised.
      'provider.client-auth.private-key-jwt': 'not-applicable',
    });
    expect(by['provider.client-auth.private-key-jwt'].summary).toContain('private_key_jwt');
    expect(by['provider.discovery.pkce-advertised'].summary).toContain('no code_challenge_methods_supported');
    // The reason comes first, so even a one-line console summary says it.
    for (const id of [
      'provider.pkce.verifier-checked',
      'provider.pkce.downgrade-token',
      'provider.pkce.downgrade-authz',
      'provider.pkce.verifier-format',
    ]) {
      expect(by[id].summary).toMatch(/^PKCE is not supported here/);
    }
    expect(by['provider.pkce.required'].summary).toContain('no public client');
  });
});
