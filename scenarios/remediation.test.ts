import { describe, expect, it } from 'vitest';
import { clientChecks } from './catalog.js';
import { providerChecks } from './provider/catalog.js';

/**
 * Libraries whose documented defaults a check fails, and the switch that turns the stricter behaviour
 * on. openid-client v6 and oauth4webapi do not verify the signature of an ID token received from the
 * token endpoint (OpenID Connect Core 3.1.3.7 step 6 allows trusting TLS there) unless told to.
 */
const DEFAULTS_THAT_FAIL = [
  { library: 'openid-client', checks: ['id-token.signature'], stricter: 'enableNonRepudiationChecks' },
  { library: 'oauth4webapi', checks: ['id-token.signature'], stricter: 'validateApplicationLevelSignature' },
] as const;

const all = [...clientChecks, ...providerChecks];

describe('remediation texts', () => {
  it('never recommend a library for a check its defaults fail without saying how to switch the stricter behaviour on', () => {
    for (const { library, checks, stricter } of DEFAULTS_THAT_FAIL) {
      for (const id of checks) {
        const check = all.find((c) => c.id === id);
        expect(check, id).toBeDefined();
        if (check?.remediation.includes(library)) expect(check.remediation, `${id}: ${library}`).toContain(stricter);
      }
    }
  });

  it('tell a client of openid-client or oauth4webapi how to make it verify ID token signatures', () => {
    const signature = clientChecks.find((c) => c.id === 'id-token.signature');
    expect(signature?.remediation).toContain('client.enableNonRepudiationChecks(config)');
    expect(signature?.remediation).toContain('validateApplicationLevelSignature(as, response)');
  });
});
