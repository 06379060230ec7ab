import { describe, expect, it, vi } from 'vitest';
import type { ClientCheck } from '../../scenarios/types.js';
import type { CliIo } from './io.js';
import { main } from './main.js';

vi.mock('../../reports/cli.js', () => {
  throw new Error('reports/cli.ts failed to load');
});

vi.mock('../../scenarios/provider/catalog.js', () => ({
  providerChecks: [
    {
      id: 'provider.pkce.required',
      title: 'PKCE is required',
      severity: 'high',
      refs: ['RFC9700-2.1.1'],
      must: 'an authorization request without code_challenge is refused',
      rationale: 'r',
      remediation: 'm',
      target: 'provider',
    },
  ],
}));

vi.mock('../../scenarios/catalog.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../scenarios/catalog.js')>();
  const base = {
    target: 'client',
    kinds: ['web', 'spa'],
    agent: 'default',
    rationale: 'An attacker can plant their own login.',
    remediation: 'Bind state to the session and compare it.',
    requirement: {
      text: 'The client MUST implement CSRF protection for its redirection URI.',
      level: 'MUST' as const,
      ref: 'RFC6749-10.12' as const,
    },
    run: async () => ({ verdict: 'pass', summary: '' }),
  };
  const clientChecks: ClientCheck[] = [
    {
      ...base,
      id: 'state.present',
      title: 'Authorization request carries state',
      severity: 'high',
      refs: ['RFC6749-10.12', 'RFC9700-2.1'],
      must: 'authorization request carries `state`',
    } as ClientCheck,
    {
      ...base,
      id: 'state.mismatch',
      title: 'Altered state is rejected',
      severity: 'high',
      refs: ['RFC6749-10.12'],
      must: 'callback with an altered state is rejected',
      faults: ['callback.state-altered'],
    } as ClientCheck,
    {
      ...base,
      id: 'pkce.downgrade-metadata',
      title: 'No PKCE downgrade from metadata',
      severity: 'medium',
      refs: ['RFC7636-4.2'],
      must: 'client still sends S256 or refuses',
      discoveryFaults: ['discovery.pkce-plain-only'],
      kinds: ['web', 'spa', 'driver'],
    } as ClientCheck,
  ];
  return { ...original, clientChecks };
});

function capture(overrides: Partial<CliIo> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    isTTY: false,
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
    ...overrides,
  };
}

describe('login-harness usage errors', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['audit', '--bogus'], /unknown option --bogus/],
    [['audit', '--seed', 'abc'], /--seed must be an integer, got "abc"/],
    [['audit', '--concurrency', '0'], /--concurrency must be at least 1/],
    [['audit', '--timeout=0'], /--timeout must be at least 1/],
    [['audit', '--format', 'json,pdf'], /--format: unknown report format "pdf"/],
    [['audit', '--fail-on', 'severe'], /--fail-on: unknown severity "severe"/],
    [['audit', '--severity', 'state.present'], /--severity: expected ID=LEVEL/],
    [['audit', '--severity', 'state.present=urgent'], /unknown severity "urgent"/],
    [['audit', '--shard', '3/2'], /--shard: expected i\/n/],
    [['audit', 'a.json', 'b.json'], /unexpected argument "b.json"/],
    [['list', '--wide'], /unknown option --wide/],
    [['explain'], /explain needs a check id/],
    [['explain', 'state.mismatc'], /unknown check id "state.mismatc" \(did you mean "state.mismatch"\?\)/],
  ])('exits 2 for %j and names the problem', async (argv, message) => {
    const io = capture();
    const code = await main(argv, io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toMatch(/--help/);
  });

  it('exits 2 without a command and prints the usage to stderr', async () => {
    const io = capture();
    expect(await main([], io)).toBe(2);
    expect(io.err()).toContain('Usage: login-harness <command>');
  });

  it('exits 2 and names the JSON path when the manifest is invalid', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'lh-manifest-'));
    try {
      const file = path.join(dir, 'target.json');
      await writeFile(
        file,
        JSON.stringify({
          name: 'bad',
          kind: 'web',
          client: { redirectUri: 'http://127.0.0.1/cb', scopes: [], authMethod: 'basic' },
        }),
      );
      const io = capture();
      expect(await main(['audit', file, '--quiet', '--out', path.join(dir, 'out')], io)).toBe(2);
      expect(io.err()).toContain('client.authMethod');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for a baseline file that does not exist, before anything starts', async () => {
    const io = capture();
    expect(await main(['audit', '--baseline', '/nonexistent/baseline.json', '--quiet'], io)).toBe(2);
    expect(io.err()).toContain('/nonexistent/baseline.json');
  });

  it('exits 2 for an --only name that matches no check', async () => {
    const io = capture();
    expect(await main(['audit', '--only', 'stat.', '--quiet'], io)).toBe(2);
    expect(io.err()).toMatch(/--only: no check has the id or prefix "stat\."/);
  });
});

describe('delegated commands', () => {
  it('exits 3 with a message naming the module when a delegated command cannot be loaded', async () => {
    const io = capture();
    expect(await main(['merge', 'out.json', 'a.json'], io)).toBe(3);
    expect(io.err()).toContain('the `merge` command is not available: reports/cli.ts could not be loaded');
  });
});

describe('login-harness help', () => {
  it.each([['audit'], ['list'], ['explain']])('prints the options of %s with --help and exits 0', async (command) => {
    const io = capture();
    expect(await main([command, '--help'], io)).toBe(0);
    expect(io.out()).toContain(`Usage: login-harness ${command}`);
  });

  it('lists every command in the main help', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of ['audit', 'list', 'explain', 'idp', 'audit-provider', 'merge', 'diff']) {
      expect(io.out()).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
  });
});

describe('login-harness list', () => {
  it('prints one row per check with id, severity, kinds and references', async () => {
    const io = capture();
    expect(await main(['list'], io)).toBe(0);
    const lines = io.out().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+APPLIES TO\s+REFERENCES$/);
    expect(lines.find((l) => l.startsWith('state.present'))).toMatch(
      /^state\.present\s+high\s+web,spa\s+RFC6749-10\.12 RFC9700-2\.1$/,
    );
    expect(lines.find((l) => l.startsWith('pkce.downgrade-metadata'))).toMatch(/medium\s+web,spa,driver/);
    expect(lines.find((l) => l.startsWith('provider.pkce.required'))).toMatch(/high\s+provider\s+RFC9700-2\.1\.1$/);
    expect(io.out()).toContain('4 checks.');
  });

  it('prints the catalog as JSON with resolved reference links', async () => {
    const io = capture();
    expect(await main(['list', '--json'], io)).toBe(0);
    const entries = JSON.parse(io.out()) as Array<{ id: string; references: Array<{ url: string }>; run?: unknown }>;
    expect(entries.map((e) => e.id)).toEqual([
      'state.present',
      'state.mismatch',
      'pkce.downgrade-metadata',
      'provider.pkce.required',
    ]);
    expect(entries[0].references[0].url).toBe('https://www.rfc-editor.org/rfc/rfc6749#section-10.12');
    expect(entries[0]).not.toHaveProperty('run');
  });
});

describe('login-harness explain', () => {
  it('explains a check with its rule, rationale, fault, remediation and links', async () => {
    const io = capture();
    expect(await main(['explain', 'state.mismatch'], io)).toBe(0);
    const text = io.out();
    expect(text).toContain('state.mismatch — Altered state is rejected');
    expect(text).toContain('callback with an altered state is rejected');
    expect(text).toContain('An attacker can plant their own login.');
    expect(text).toContain('`callback.state-altered`');
    expect(text).toContain('Bind state to the session and compare it.');
    expect(text).toContain('RFC 6749 §10.12: https://www.rfc-editor.org/rfc/rfc6749#section-10.12');
  });

  it('lists only provider checks with --provider', async () => {
    const io = capture();
    expect(await main(['list', '--provider', '--json'], io)).toBe(0);
    expect((JSON.parse(io.out()) as Array<{ id: string }>).map((e) => e.id)).toEqual(['provider.pkce.required']);
  });

  it('says when a check gets its own provider issuer for discovery faults', async () => {
    const io = capture();
    expect(await main(['explain', 'pkce.downgrade-metadata'], io)).toBe(0);
    expect(io.out()).toContain('discovery.pkce-plain-only');
    expect(io.out()).toContain('its own target process');
  });
});
