import { describe, expect, it } from 'vitest';
import { auditWithMode, expectedFor, PKCE_CODE_MODES } from './testing/matrix.js';

describe('provider checks against the mock with one permissive mode on (PKCE, codes, redirect URIs)', () => {
  for (const mode of PKCE_CODE_MODES) {
    it(`with ${mode} on, exactly the checks made for it stop passing`, async () => {
      expect(await auditWithMode(mode)).toEqual(expectedFor(mode));
    });
  }
});
