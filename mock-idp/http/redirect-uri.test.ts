import { describe, expect, it } from 'vitest';
import type { ClientRegistration } from '../types.js';
import { isRegisteredRedirectUri } from './redirect-uri.js';

const web = (...redirectUris: string[]): ClientRegistration => ({ clientId: 'web', authMethod: 'none', redirectUris });
const native = (...redirectUris: string[]): ClientRegistration => ({
  ...web(...redirectUris),
  applicationType: 'native',
});

describe('redirect URI matching', () => {
  it('matches a web client by simple string comparison only, ports included', () => {
    const client = web('http://127.0.0.1:8000/callback');
    expect(isRegisteredRedirectUri(client, 'http://127.0.0.1:8000/callback')).toBe(true);
    expect(isRegisteredRedirectUri(client, 'http://127.0.0.1:8001/callback')).toBe(false);
    expect(isRegisteredRedirectUri(client, 'http://127.0.0.1/callback')).toBe(false);
  });

  it('lets a native client choose any port on a registered loopback IP redirect URI (RFC 8252 7.3)', () => {
    const client = native('http://127.0.0.1/callback', 'http://[::1]:8000/cb?x=1');
    expect(isRegisteredRedirectUri(client, 'http://127.0.0.1:51004/callback')).toBe(true);
    expect(isRegisteredRedirectUri(client, 'http://127.0.0.1/callback')).toBe(true);
    expect(isRegisteredRedirectUri(client, 'http://[::1]:61023/cb?x=1')).toBe(true);
    expect(isRegisteredRedirectUri(client, 'http://[::1]/cb?x=1')).toBe(true);
  });

  it('keeps everything but the port exact for a native client: path, query, host, scheme', () => {
    const client = native('http://127.0.0.1/callback');
    for (const uri of [
      'http://127.0.0.1:51004/callback/',
      'http://127.0.0.1:51004/Callback',
      'http://127.0.0.1:51004/callback?next=/',
      'http://127.0.0.1:51004/callback#x',
      'https://127.0.0.1:51004/callback',
      'http://[::1]:51004/callback',
      'http://127.0.0.2:51004/callback',
      'http://127.0.0.1:99999/callback',
      'http://127.0.0.1:51004@evil.example/callback',
    ])
      expect(isRegisteredRedirectUri(client, uri), uri).toBe(false);
  });

  it('does not extend the port rule to localhost, which RFC 8252 8.3 does not recommend', () => {
    const client = native('http://localhost/callback', 'http://localhost:8000/callback');
    expect(isRegisteredRedirectUri(client, 'http://localhost:8000/callback')).toBe(true);
    expect(isRegisteredRedirectUri(client, 'http://localhost:51004/callback')).toBe(false);
  });
});
