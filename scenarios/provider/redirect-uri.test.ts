import { describe, expect, it } from 'vitest';
import { redirectUriVariants } from './redirect-uri.js';

describe('redirect URI variants', () => {
  it('covers suffix, subdomain, added query, userinfo, case and trailing slash, all different from the registered URI', () => {
    const registered = 'https://app.example.com/oauth/callback';
    const variants = redirectUriVariants(registered);
    expect(Object.fromEntries(variants.map((v) => [v.name, v.uri]))).toEqual({
      'suffix on the path': 'https://app.example.com/oauth/callbackevil',
      'extra path segment': 'https://app.example.com/oauth/callback/evil',
      subdomain: 'https://evil.app.example.com/oauth/callback',
      'added query parameter': 'https://app.example.com/oauth/callback?lh=1',
      userinfo: 'https://evil@app.example.com/oauth/callback',
      'trailing slash': 'https://app.example.com/oauth/callback/',
      'letter case of the path': 'https://app.example.com/OAUTH/CALLBACK',
    });
  });

  it('keeps a registered query and removes a registered trailing slash', () => {
    const variants = Object.fromEntries(
      redirectUriVariants('http://127.0.0.1:8080/cb/?tenant=1').map((v) => [v.name, v.uri]),
    );
    expect(variants['added query parameter']).toBe('http://127.0.0.1:8080/cb/?tenant=1&lh=1');
    expect(variants['trailing slash']).toBe('http://127.0.0.1:8080/cb?tenant=1');
    expect(variants.subdomain).toBe('http://evil.127.0.0.1:8080/cb/?tenant=1');
  });
});
