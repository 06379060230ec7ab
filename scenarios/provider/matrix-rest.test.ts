import { describe, expect, it } from 'vitest';
import type { PermissiveMode } from '../../mock-idp/types.js';
import { PERMISSIVE_MODES } from './cli.js';
import { auditWithMode, EXPECTED, expectedFor } from './testing/matrix.js';

// The token, refresh, flow, error and API half of the matrix (the other half is matrix-pkce-code.test.ts).
const MODES: PermissiveMode[] = [
  'state-not-echoed',
  'iss-param-wrong',
  'no-cache-control',
  'client-auth-not-required',
  'low-entropy-tokens',
  'no-refresh-rotation',
  'refresh-reuse-not-detected',
  'refresh-not-bound-to-client',
  'implicit-enabled',
  'ropc-enabled',
  'errors-not-rfc',
  'errors-reflect-unescaped',
  'api-bearer-query-accepted',
];

describe('provider checks against the mock with one permissive mode on (tokens, refresh, flows, errors, API)', () => {
  it('the two halves of the matrix together cover every permissive mode of the mock', async () => {
    const { readFile } = await import('node:fs/promises');
    const other = await readFile(new URL('./matrix-pkce-code.test.ts', import.meta.url), 'utf8');
    const covered = new Set([...MODES, ...PERMISSIVE_MODES.filter((m) => other.includes(`'${m}'`))]);
    expect([...covered].sort()).toEqual([...PERMISSIVE_MODES].sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...PERMISSIVE_MODES].sort());
  });

  for (const mode of MODES) {
    it(`with ${mode} on, exactly the checks made for it stop passing`, async () => {
      expect(await auditWithMode(mode)).toEqual(expectedFor(mode));
    });
  }
});
