import { describe, expect, it } from 'vitest';
import { EXIT, LoginHarnessError, UsageError } from '../../core/errors.js';
import { DiscoveryError } from '../../mock-idp/discovery/discovery-schema.js';
import { ProviderConfigError } from '../provider/metadata.js';
import { FlowError } from '../provider/client.js';
import { Inconclusive } from '../../scenarios/lib/outcome.js';
import { DriverError } from '../agents/driver.js';
import { HttpAgentError } from '../agents/http.js';
import { ManifestError } from '../manifest/errors.js';
import { CheckRunError, ConfigurationError } from '../runner/errors.js';
import { TargetStartError } from '../target/start.js';
import { MissingCommandError } from './delegate.js';
import { reportError } from './exit.js';

function run(err: unknown): { code: number; err: string } {
  let text = '';
  const code = reportError(err, { stderr: (t) => void (text += t) });
  return { code, err: text };
}

describe('reportError, where the CLI turns an error into a message and an exit code', () => {
  it('derives every error the project raises on purpose from the one base class, each with its code and exit code', () => {
    const cases: Array<[LoginHarnessError, string, number]> = [
      [new UsageError('unknown option --x'), 'usage', 2],
      [new UsageError('r.json: not a report', { code: 'invalid-report' }), 'invalid-report', 2],
      [new ConfigurationError('--only: no check'), 'configuration', 2],
      [ManifestError.expected('client.id', 'a string', 1), 'manifest', 2],
      [new ProviderConfigError('$.client.id: required'), 'provider-config', 2],
      [new DiscoveryError(['discovery.issuer: required']), 'discovery', 2],
      [new TargetStartError('exited', 'the target exited', ''), 'target-start', 3],
      [new DriverError('garbage', 'not JSON'), 'driver', 3],
      [new HttpAgentError('network', 'http://127.0.0.1:9/', 'refused'), 'network', 3],
      [new FlowError('no code'), 'flow', 3],
      [new Inconclusive({ verdict: 'not-applicable', summary: 'no refresh token' }), 'inconclusive', 3],
      [new CheckRunError('the target hung', 'target'), 'check-run', 3],
      [new MissingCommandError('idp', 'mock-idp/cli.ts', new Error('gone')), 'missing-command', 3],
    ];
    for (const [err, code, exit] of cases) {
      expect(err, err.name).toBeInstanceOf(LoginHarnessError);
      expect(err.code, err.name).toBe(code);
      expect(run(err).code, err.name).toBe(exit);
    }
  });

  it('points a usage error at the help of its command', () => {
    expect(run(new UsageError('--seed must be an integer', { command: 'audit' }))).toEqual({
      code: EXIT.usage,
      err: 'login-harness: --seed must be an integer\nSee `login-harness audit --help`.\n',
    });
    expect(run(new UsageError('unknown command "x"')).err).toContain('See `login-harness --help`.');
  });

  it('prints another error the caller must fix as its message alone', () => {
    const { code, err } = run(ManifestError.expected('client.authMethod', '"none"', 'basic'));
    expect(code).toBe(EXIT.usage);
    expect(err).toBe('login-harness: client.authMethod: expected "none", got "basic"\n');
  });

  it('reports anything unexpected as a broken run (exit 3) with its stack', () => {
    const { code, err } = run(new TypeError('x is undefined'));
    expect(code).toBe(EXIT.broken);
    expect(err).toMatch(/^login-harness: the run broke: TypeError: x is undefined\n\s+at /);
    expect(run(new MissingCommandError('idp', 'mock-idp/cli.ts', new Error('gone'))).err).not.toContain('run broke');
  });
});
