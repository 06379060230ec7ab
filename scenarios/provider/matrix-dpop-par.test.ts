import { describe, expect, it } from 'vitest';
import { auditWithMode, DPOP_PAR_MODES, EXPECTED, MODERN_DISCOVERY, MODERN_NOT_APPLICABLE } from './testing/matrix.js';

const NEW_CHECKS = ['provider.par', 'provider.dpop'];

describe('provider checks of PAR and DPoP against the mock serving lexoffice with PAR required and DPoP offered', () => {
  it('the strict mock passes the whole catalog, PAR and DPoP checks included', async () => {
    const nonPass = await auditWithMode(undefined, { discovery: MODERN_DISCOVERY });
    expect(nonPass).toEqual(Object.fromEntries(MODERN_NOT_APPLICABLE.map((id) => [id, 'not-applicable'])));
  });

  for (const mode of DPOP_PAR_MODES) {
    it(`with ${mode} on, exactly the PAR/DPoP check made for it stops passing`, async () => {
      const nonPass = await auditWithMode(mode, { discovery: MODERN_DISCOVERY, only: NEW_CHECKS });
      expect(nonPass).toEqual(EXPECTED[mode]);
    });
  }

  it('the fapi2 profile, whose API demands DPoP nonces (RFC 9449 9), passes the DPoP checks: the audit’s client follows use_dpop_nonce', async () => {
    const nonPass = await auditWithMode(undefined, { profile: 'fapi2', only: ['provider.dpop'] });
    // No public clients in fapi2, so the refresh binding of a DPoP public client cannot be shown.
    expect(nonPass).toEqual({ 'provider.dpop.refresh-bound': 'not-applicable' });
  });

  it('the lexoffice profile advertises neither, so every PAR and DPoP check is not applicable, naming the metadata', async () => {
    const nonPass = await auditWithMode(undefined, { only: NEW_CHECKS });
    expect(Object.values(nonPass)).toEqual(Array(6).fill('not-applicable'));
  });
});
