/**
 * The PKCE checks tell one story about one client: audited against a provider that ignores PKCE (the
 * `lexoffice-partner` profile), a correct web client that sends an S256 challenge and its verifier is
 * judged on what it sent, by every PKCE check alike.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit, EFFICACY_SEED } from '../../scripts/efficacy-targets.js';

const PARTNER_WEB = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'partner-web', 'target.json');
const PKCE_CHECKS = ['pkce.present', 'pkce.s256', 'pkce.verifier-sent', 'pkce.verifier-format', 'pkce.verifier-fresh'];

describe('PKCE checks on a web client of a provider that ignores PKCE', () => {
  it('agree that the client sent a code_challenge, and say that the provider ignores it', async () => {
    const report = await audit(
      { label: 'fixture-partner-web', manifestPath: PARTNER_WEB, only: PKCE_CHECKS },
      { seed: EFFICACY_SEED },
    );
    const byId = new Map(report.results.map((r) => [r.id, r]));
    expect(report.target.profile).toBe('lexoffice-partner');
    expect(byId.get('pkce.present')?.verdict, byId.get('pkce.present')?.summary).toBe('pass');
    const sent = byId.get('pkce.verifier-sent');
    expect(sent?.verdict, sent?.summary).toBe('pass');
    expect(sent?.summary).toMatch(/provider ignores PKCE/);
    expect(sent?.observations.map((o) => o.text).join('\n')).toMatch(/provider ignores PKCE/);
    // No check contradicts pkce.present.
    for (const r of report.results) expect(r.summary, r.id).not.toMatch(/sent no code_challenge/i);
    for (const id of PKCE_CHECKS) expect(byId.get(id)?.verdict, `${id}: ${byId.get(id)?.summary}`).toBe('pass');
  }, 120_000);
});
