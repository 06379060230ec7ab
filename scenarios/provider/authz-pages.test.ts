import { describe, expect, it } from 'vitest';
import { framingProtection } from './authz-pages.js';

describe('framingProtection: how a page stands on being framed (RFC 9700 4.16)', () => {
  it('counts CSP frame-ancestors that names no wildcard, whatever else the policy says', () => {
    expect(framingProtection({ 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" })).toBe('csp');
    expect(framingProtection({ 'content-security-policy': "frame-ancestors 'self' https://app.example" })).toBe('csp');
  });

  it('falls back to X-Frame-Options DENY or SAMEORIGIN when CSP does not restrict framing', () => {
    expect(framingProtection({ 'x-frame-options': 'DENY' })).toBe('x-frame-options');
    expect(
      framingProtection({ 'x-frame-options': 'sameorigin', 'content-security-policy': "default-src 'none'" }),
    ).toBe('x-frame-options');
  });

  it('finds a page without either, or with a frame-ancestors wildcard or ALLOW-FROM only, framable', () => {
    expect(framingProtection({})).toBe('none');
    expect(framingProtection({ 'content-security-policy': 'frame-ancestors *' })).toBe('none');
    expect(framingProtection({ 'x-frame-options': 'ALLOW-FROM https://x.example' })).toBe('none');
  });
});
