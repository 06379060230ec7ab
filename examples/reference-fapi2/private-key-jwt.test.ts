import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit } from '../../scripts/efficacy-targets.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('reference-fapi2 with private_key_jwt, PAR and DPoP together (target-private-key-jwt.json)', () => {
  it('signs in, refreshes and calls the API against the fapi2 profile, and passes the checks of all three', async () => {
    const report = await audit(
      {
        label: 'reference-fapi2-private-key-jwt',
        manifestPath: path.join(here, 'target-private-key-jwt.json'),
        only: [
          'client-auth.private-key-jwt',
          'token-request.client-auth',
          'par.front-channel',
          'dpop.proof',
          'dpop.nonce',
          'refresh.rotation',
        ],
      },
      { checkTimeoutMs: 60_000 },
    );
    const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({
      'client-auth.private-key-jwt': 'pass',
      'token-request.client-auth': 'pass',
      'par.front-channel': 'pass',
      'dpop.proof': 'pass',
      'dpop.nonce': 'pass',
      'refresh.rotation': 'pass',
    });
    // The checks observed the three together: assertions at the token endpoint, DPoP-bound tokens used
    // at the API, and a refresh.
    const evidence = JSON.stringify(report.results.map((r) => [r.observations, r.transcript]));
    expect(evidence).toMatch(/private_key_jwt|client_assertion/);
    expect(evidence).toMatch(/DPoP/);
    expect(evidence).toMatch(/refresh_token/);
  }, 180_000);
});
