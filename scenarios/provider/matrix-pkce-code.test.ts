import { describe, expect, it } from 'vitest';
import type { PermissiveMode } from '../../mock-idp/types.js';
import { auditWithMode, expectedFor } from './testing/matrix.js';

// The PKCE and code half of the matrix (the other half is in matrix-rest.test.ts, so the two run in parallel).
const MODES: PermissiveMode[] = [
  'pkce-not-required',
  'verifier-not-checked',
  'verifier-optional',
  'verifier-without-challenge-accepted',
  'plain-allowed',
  'verifier-format-not-checked',
  'failed-verifier-keeps-code',
  'codes-reusable',
  'replay-does-not-revoke',
  'code-not-bound-to-client',
  'code-not-bound-to-redirect-uri',
  'redirect-uri-prefix-match',
  'redirect-on-invalid-redirect-uri',
];

describe('provider checks against the mock with one permissive mode on (PKCE, codes, redirect URIs)', () => {
  for (const mode of MODES) {
    it(`with ${mode} on, exactly the checks made for it stop passing`, async () => {
      expect(await auditWithMode(mode)).toEqual(expectedFor(mode));
    });
  }
});
