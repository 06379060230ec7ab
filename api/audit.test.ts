import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditClient, auditProvider, gateReport } from './audit.js';
import './vitest.js';

/** The compensating controls of state.mismatch, left out so the report holds that one check. */
const CONTROLS = [
  'pkce.present',
  'pkce.s256',
  'pkce.verifier-sent',
  'pkce.verifier-fresh',
  'state.session-binding',
  'nonce.present',
  'id-token.nonce',
];
const LAB = fileURLToPath(new URL('../examples/labs/state-mismatch/', import.meta.url));

describe('the audit API', () => {
  it('audits the bundled reference client by default and the report passes the gate', async () => {
    const report = await auditClient(undefined, { only: ['state.mismatch'], skip: CONTROLS });
    expect(report.target.name).toBe('reference-web');
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([['state.mismatch', 'pass']]);
    expect(report).toPassLoginAudit({ failOn: 'high' });
    expect((await gateReport(report)).passed).toBe(true);
  }, 60_000);

  it('audits a manifest given as an object, with relative paths against cwd, and finds the lab flaw', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(`${LAB}target.json`, 'utf8')) as Parameters<typeof auditClient>[0];
    // The lab relies on PKCE, which RFC 9700 2.1 lets a client do: it fails only under the strict policy.
    const report = await auditClient(manifest, {
      only: ['state.mismatch'],
      skip: CONTROLS,
      cwd: LAB,
      policy: 'strict',
    });
    expect(report.target.manifest).toBeUndefined();
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([['state.mismatch', 'fail']]);
    expect(report).not.toPassLoginAudit({ failOn: 'high' });
    const gate = await gateReport(report, { failOn: 'high' });
    expect(gate.passed).toBe(false);
    expect(gate.blocking.map((r) => r.id)).toEqual(['state.mismatch']);
  }, 60_000);

  it('audits the embedded provider, and a permissive mode makes its check fail', async () => {
    const strict = await auditProvider({ only: ['provider.code.single-use'] });
    expect(strict.mode).toBe('provider');
    expect(strict.results.map((r) => [r.id, r.verdict])).toEqual([['provider.code.single-use', 'pass']]);
    const loose = await auditProvider({ only: ['provider.code.single-use'], permissive: ['codes-reusable'] });
    expect(loose.results[0].verdict).toBe('fail');
  }, 60_000);

  it('refuses a discovery URL without the client file', async () => {
    await expect(auditProvider({ discovery: 'http://127.0.0.1:1' })).rejects.toThrow(/needs `client`/);
  });
});
