import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import type { Report } from '../../reports/model.js';
import { runAuditProviderCommand } from './audit-provider.js';
import { CallbackListener } from '../provider/listener.js';
import { startOidcProvider } from '../provider/testing/oidc-provider.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lh-audit-provider-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function captureIo(cwd: string): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    isTTY: false,
    env: { CI: 'true' } as Record<string, string | undefined>,
    cwd,
  };
  return io;
}

async function readReport(dir: string): Promise<Report> {
  return JSON.parse(await readFile(path.join(dir, 'out', 'report.json'), 'utf8')) as Report;
}

describe('login-harness audit-provider', () => {
  it('prints its help with --help and exits 0', async () => {
    const io = captureIo(await tempDir());
    expect(await runAuditProviderCommand(['--help'], io)).toBe(0);
    expect(io.out).toContain('--discovery URL|FILE');
    expect(io.out).toContain('--opt-in slow');
    expect(io.out).toContain('--policy NAME');
    expect(io.out).toContain('Overrides the client file\'s "policy" field');
  });

  it.each([
    [['--discovery', 'https://login.example.com'], '--discovery needs --client'],
    [['--client', 'c.json'], '--client is only used with --discovery'],
    [['--permissive', 'pkce-not-required,nope'], 'unknown mode "nope"'],
    [['--profile', 'acme'], '--profile: expected lexoffice, lexoffice-partner or fapi2'],
    [['--only', 'provider.nothing'], '--only: no check has the id or prefix "provider.nothing"'],
    [['--skip', 'provider.pkce.requird'], 'did you mean "provider.pkce.required"?'],
    [['--only', 'provider.pkce', '--skip', 'provider.pkce'], 'select no provider check'],
    [['--opt-in', 'fast'], 'unknown group "fast"'],
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['--policy', 'lax'], '--policy: unknown value "lax" (valid: rfc9700, strict, fapi2)'],
  ])('refuses %j as a usage error (exit 2) naming the problem', async (argv, message) => {
    const io = captureIo(await tempDir());
    expect(await runAuditProviderCommand(argv, io)).toBe(2);
    expect(io.err).toContain(message);
  });

  it('refuses an invalid client file with exit 2 and names the JSON path', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'client.json'),
      JSON.stringify({ client: { id: 'a', redirectUri: 'not a url' }, login: { method: 'browser' } }),
    );
    await writeFile(
      path.join(dir, 'metadata.json'),
      JSON.stringify({
        issuer: 'https://login.example.com',
        authorization_endpoint: 'https://login.example.com/authorize',
        token_endpoint: 'https://login.example.com/token',
      }),
    );
    const io = captureIo(dir);
    expect(await runAuditProviderCommand(['--discovery', 'metadata.json', '--client', 'client.json'], io)).toBe(2);
    expect(io.err).toContain('$.client.redirectUri');
    expect(io.err).toContain('$.login.method');
  });

  it('refuses a discovery file without the required members with exit 2, naming the member', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'client.json'),
      JSON.stringify({ client: { id: 'a', redirectUri: 'http://127.0.0.1:8765/cb' } }),
    );
    await writeFile(path.join(dir, 'metadata.json'), JSON.stringify({ issuer: 'https://login.example.com' }));
    const io = captureIo(dir);
    expect(await runAuditProviderCommand(['--discovery', 'metadata.json', '--client', 'client.json'], io)).toBe(2);
    expect(io.err).toContain('$.authorization_endpoint');
  });

  it('audits the embedded mock out of the box: strict lexoffice passes, exit 0, reports written', async () => {
    const dir = await tempDir();
    const io = captureIo(dir);
    const code = await runAuditProviderCommand(
      ['--only', 'provider.pkce,provider.discovery', '--out', 'out', '--format', 'json,sarif', '--quiet'],
      io,
    );
    expect(code).toBe(0);
    const report = await readReport(dir);
    expect(report.mode).toBe('provider');
    expect(report.target.profile).toBe('lexoffice');
    expect(report.results.map((r) => r.id)).toEqual([
      'provider.discovery.valid',
      'provider.discovery.pkce-advertised',
      'provider.pkce.required',
      'provider.pkce.verifier-checked',
      'provider.pkce.downgrade-token',
      'provider.pkce.downgrade-authz',
      'provider.pkce.plain-rejected',
      'provider.pkce.verifier-format',
      'provider.pkce.failed-attempt-burns-code',
    ]);
    expect(report.results.every((r) => r.verdict === 'pass')).toBe(true);
    expect(io.out).toContain('Reports written: out/report.json, out/report.sarif');
  });

  it('exits 1 when a permissive mode makes a check fail at or above the threshold, and 0 when the threshold is above it', async () => {
    const dir = await tempDir();
    const io = captureIo(dir);
    expect(
      await runAuditProviderCommand(
        ['--permissive', 'codes-reusable', '--only', 'provider.code.single-use', '--out', 'out', '--quiet'],
        io,
      ),
    ).toBe(1);
    expect((await readReport(dir)).results[0]).toMatchObject({
      id: 'provider.code.single-use',
      verdict: 'fail',
      severity: 'high',
    });
    expect(io.out).toContain('provider.code.single-use');
    const io2 = captureIo(dir);
    expect(
      await runAuditProviderCommand(
        [
          '--permissive',
          'codes-reusable',
          '--only',
          'provider.code.single-use',
          '--out',
          'out',
          '--quiet',
          '--fail-on',
          'critical',
        ],
        io2,
      ),
    ).toBe(0);
  });

  it('writes a report for the lexoffice-partner profile that says PKCE is not supported there', async () => {
    const dir = await tempDir();
    const io = captureIo(dir);
    expect(
      await runAuditProviderCommand(
        [
          '--profile',
          'lexoffice-partner',
          '--only',
          'provider.discovery,provider.pkce',
          '--out',
          'out',
          '--format',
          'json,md',
          '--quiet',
        ],
        io,
      ),
    ).toBe(1);
    const report = await readReport(dir);
    expect(report.target.profile).toBe('lexoffice-partner');
    const verifier = report.results.find((r) => r.id === 'provider.pkce.verifier-checked');
    expect(verifier?.verdict).toBe('fail');
    expect(verifier?.summary).toContain('PKCE is not supported here');
    const md = await readFile(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(md).toContain('provider.discovery.pkce-advertised');
  });

  it('audits the embedded fapi2 profile: PAR, DPoP and private_key_jwt are offered and enforced', async () => {
    const dir = await tempDir();
    const io = captureIo(dir);
    expect(
      await runAuditProviderCommand(
        ['--profile', 'fapi2', '--only', 'provider.par,provider.dpop,provider.client-auth', '--out', 'out', '--quiet'],
        io,
      ),
    ).toBe(0);
    const report = await readReport(dir);
    expect(report.target.profile).toBe('fapi2');
    const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
    for (const id of [
      'provider.par.required',
      'provider.dpop.bound',
      'provider.dpop.replay',
      'provider.client-auth.private-key-jwt',
    ])
      expect(verdicts[id], id).toBe('pass');
  });

  it('audits a real provider (oidc-provider on loopback) from its discovery URL and a client file', async () => {
    const dir = await tempDir();
    const listener = new CallbackListener();
    await listener.listen();
    cleanup.push(() => listener.close());
    const op = await startOidcProvider({ redirectUri: `${listener.origin}/callback` });
    cleanup.push(() => op.close());
    await writeFile(path.join(dir, 'client.json'), JSON.stringify(op.clientFile));
    const io = captureIo(dir);
    const code = await runAuditProviderCommand(
      ['--discovery', op.issuer, '--client', 'client.json', '--out', 'out', '--quiet'],
      io,
    );
    const report = await readReport(dir);
    expect(report.target.name).toBe(op.issuer);
    expect(report.summary).toMatchObject({ fail: 0, error: 0, warn: 1 });
    expect(code).toBe(0);
    // The confidential client's secret came from the client file; it never reaches the report.
    expect(JSON.stringify(report)).not.toContain(op.clientFile.confidentialClient?.secret);
  });

  it('lets a baseline entry for the provider accept a finding (exit 0), and refuses an invalid baseline with exit 2', async () => {
    const dir = await tempDir();
    const target = 'embedded mock provider (lexoffice, permissive: codes-reusable)';
    const entry = {
      check: 'provider.code.single-use',
      target,
      justification: 'demo of the permissive mode',
      expires: '2999-12-31',
    };
    await writeFile(path.join(dir, 'baseline.json'), JSON.stringify({ version: 1, entries: [entry] }));
    const argv = ['--permissive', 'codes-reusable', '--only', 'provider.code.single-use', '--out', 'out', '--quiet'];
    expect(await runAuditProviderCommand([...argv, '--baseline', 'baseline.json'], captureIo(dir))).toBe(0);
    const report = await readReport(dir);
    expect(report.target.name).toBe(target);
    expect(report.results[0].baselined?.justification).toBe('demo of the permissive mode');
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ version: 1, entries: [{ check: 'x' }] }));
    const io = captureIo(dir);
    expect(await runAuditProviderCommand([...argv, '--baseline', 'bad.json'], io)).toBe(2);
    expect(io.err).toContain('bad.json');
  });

  it("judges under the client file's policy, under --policy when both are given, and refuses an unknown one", async () => {
    const dir = await tempDir();
    const listener = new CallbackListener();
    await listener.listen();
    cleanup.push(() => listener.close());
    const op = await startOidcProvider({ redirectUri: `${listener.origin}/callback` });
    cleanup.push(() => op.close());
    await writeFile(path.join(dir, 'client.json'), JSON.stringify({ ...op.clientFile, policy: 'strict' }));
    const argv = ['--discovery', op.issuer, '--client', 'client.json', '--only', 'provider.discovery.valid'];
    expect(await runAuditProviderCommand([...argv, '--out', 'out', '--quiet'], captureIo(dir))).toBe(0);
    expect((await readReport(dir)).policy).toBe('strict');
    expect(
      await runAuditProviderCommand([...argv, '--policy', 'fapi2', '--out', 'out', '--quiet'], captureIo(dir)),
    ).toBe(0);
    expect((await readReport(dir)).policy).toBe('fapi2');

    await writeFile(path.join(dir, 'client.json'), JSON.stringify({ ...op.clientFile, policy: 'lenient' }));
    const io = captureIo(dir);
    expect(await runAuditProviderCommand([...argv, '--out', 'out2', '--quiet'], io)).toBe(2);
    expect(io.err).toContain('$.policy: unknown policy (valid: rfc9700, strict, fapi2)');
  });
});
