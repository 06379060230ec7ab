import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit } from '../../scripts/efficacy-targets.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('openid-client-web with private_key_jwt (target-private-key-jwt.json)', () => {
  it('signs in with assertions openid-client builds, and passes the client-auth checks', async () => {
    const report = await audit(
      {
        label: 'openid-client-web-private-key-jwt',
        manifestPath: path.join(here, 'target-private-key-jwt.json'),
        only: ['client-auth.private-key-jwt', 'token-request.client-auth'],
      },
      { checkTimeoutMs: 60_000 },
    );
    const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({
      'client-auth.private-key-jwt': 'pass',
      'token-request.client-auth': 'pass',
    });
  }, 180_000);
});
