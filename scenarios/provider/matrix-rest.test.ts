import { describe, expect, it } from 'vitest';
import { auditWithMode, expectedFor, REST_MODES } from './testing/matrix.js';

describe('provider checks against the mock with one permissive mode on (tokens, refresh, flows, errors, API)', () => {
  for (const mode of REST_MODES) {
    it(`with ${mode} on, exactly the checks made for it stop passing`, async () => {
      expect(await auditWithMode(mode)).toEqual(expectedFor(mode));
    });
  }
});
