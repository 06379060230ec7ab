import { describe, expect, it } from 'vitest';
import { v8FlagsFingerprint } from './v8-flags.js';

describe('the V8 flags fingerprint', () => {
  it('keeps the settings of the command line and leaves out the text of an -e or -p program', () => {
    const base = v8FlagsFingerprint(['--max-old-space-size=512', '--import', 'tsx']);
    expect(v8FlagsFingerprint(['--max-old-space-size=512', '--import', 'tsx', '-e', 'console.log(1)'])).toBe(base);
    expect(v8FlagsFingerprint(['--max-old-space-size=512', '--import', 'tsx', '--print=2', '--eval', 'x'])).toBe(base);
    expect(v8FlagsFingerprint(['--max-old-space-size=1024', '--import', 'tsx'])).not.toBe(base);
    expect(v8FlagsFingerprint(['--liftoff-only', '--max-old-space-size=512', '--import', 'tsx'])).not.toBe(base);
  });
});
