// An audit in a test: the bundled reference client passes; a vulnerable lab fails with its finding.
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, it } from 'vitest';
import 'lexoffice-login-harness/vitest';
import { auditClient } from 'lexoffice-login-harness';

const packageDir = path.dirname(createRequire(import.meta.url).resolve('lexoffice-login-harness/package.json'));

it('passes the audit of the bundled reference client', async () => {
  const report = await auditClient(undefined, { only: ['state.', 'pkce.s256'] });
  expect(report).toPassLoginAudit({ failOn: 'high' });
}, 120_000);

it('fails the audit of a lab and says which check found what', async () => {
  const lab = path.join(packageDir, 'examples', 'labs', 'state-mismatch', 'target.json');
  // The lab relies on PKCE against CSRF, which RFC 9700 2.1 allows: its unchecked state fails under `strict`.
  const report = await auditClient(lab, { only: ['state.mismatch'], policy: 'strict' });
  expect(report).not.toPassLoginAudit({ failOn: 'high' });
  expect(() => expect(report).toPassLoginAudit({ failOn: 'high' })).toThrow(/state\.mismatch \(fail, high\)/);
}, 120_000);
