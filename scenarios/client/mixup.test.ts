/**
 * mixup.iss and mixup.token-endpoint through the real harness: the two-provider reference client passes
 * both, each lab fails the check it was built for (and the iss lab shows that the token-endpoint check
 * tells the two flaws apart), and a one-provider manifest makes both not applicable without a second
 * issuer. Audits run one at a time with only the two checks selected.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../reports/model.js';
import { audit } from '../../scripts/efficacy-targets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ONLY = ['mixup.iss', 'mixup.token-endpoint'];
const TIMEOUT_MS = 180_000;

async function mixupAudit(manifest: string): Promise<Record<string, Report['results'][number]>> {
  const report = await audit(
    { label: manifest, manifestPath: path.join(ROOT, manifest), only: ONLY },
    { checkTimeoutMs: 60_000 },
  );
  return Object.fromEntries(report.results.map((r) => [r.id, r]));
}

describe('the mix-up checks against real targets', () => {
  it(
    'pass on the two-provider reference client, which refuses the other provider’s response before any token request',
    async () => {
      const r = await mixupAudit('examples/openid-client-two-providers/target.json');
      expect(r['mixup.iss']?.verdict, r['mixup.iss']?.summary).toBe('pass');
      expect(r['mixup.token-endpoint']?.verdict, r['mixup.token-endpoint']?.summary).toBe('pass');
      expect(r['mixup.token-endpoint']?.summary).toContain('refused');
    },
    TIMEOUT_MS,
  );

  it(
    'fail mixup.iss only for the client that overwrites iss: the code goes to the provider the login started at',
    async () => {
      const r = await mixupAudit('examples/labs/mixup-iss/target.json');
      expect(r['mixup.iss']?.verdict).toBe('fail');
      expect(r['mixup.iss']?.summary).toContain('token endpoint of the provider the login started at');
      expect(r['mixup.token-endpoint']?.verdict, r['mixup.token-endpoint']?.summary).toBe('pass');
    },
    TIMEOUT_MS,
  );

  it(
    'fail mixup.token-endpoint for the client that takes the provider from the response’s iss',
    async () => {
      const r = await mixupAudit('examples/labs/mixup-token-endpoint/target.json');
      expect(r['mixup.token-endpoint']?.verdict).toBe('fail');
      expect(r['mixup.token-endpoint']?.judgement?.requirement.level).toBe('MUST');
      // Taking the provider from the response also means accepting the other provider's response.
      expect(r['mixup.iss']?.verdict).toBe('fail');
    },
    TIMEOUT_MS,
  );

  it(
    'are not applicable to a client whose manifest does not declare providers, naming the field',
    async () => {
      const r = await mixupAudit('examples/openid-client-web/target.json');
      for (const id of ONLY) {
        expect(r[id]?.verdict).toBe('not-applicable');
        expect(r[id]?.summary).toContain('"providers": 2');
      }
    },
    TIMEOUT_MS,
  );
});
