import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockIdp } from '../create-mock-idp.js';
import { startMockIdp } from '../transports/node-server.js';
import type { RunningMockIdp } from '../types.js';
import { DiscoveryError, parseDiscovery } from './discovery-schema.js';

const MINIMAL = {
  issuer: 'https://idp.example.com',
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
};

function issuesOf(input: unknown): string[] {
  try {
    parseDiscovery(input);
  } catch (error) {
    if (error instanceof DiscoveryError) return error.issues;
    throw error;
  }
  return [];
}

describe('discovery document parsing', () => {
  it('names the JSON path when an endpoint is not https', () => {
    expect(issuesOf({ ...MINIMAL, token_endpoint: 'http://idp.example.com/token' })).toContain(
      'discovery.token_endpoint: expected an https URL',
    );
  });

  it('names missing required members', () => {
    const issues = issuesOf({ issuer: 'https://idp.example.com' });
    expect(issues.some((i) => i.startsWith('discovery.authorization_endpoint:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('discovery.token_endpoint:'))).toBe(true);
  });

  it('names the index of a bad list element', () => {
    expect(issuesOf({ ...MINIMAL, scopes_supported: ['openid', 7] }).join('\n')).toContain(
      'discovery.scopes_supported[1]:',
    );
  });

  it('keeps members it does not know', () => {
    const parsed = parseDiscovery({ ...MINIMAL, x_vendor_flag: { deep: true } });
    expect(parsed.x_vendor_flag).toEqual({ deep: true });
  });

  it('accepts http endpoints on loopback only', () => {
    expect(issuesOf({ ...MINIMAL, token_endpoint: 'http://127.0.0.1:9000/token' })).toEqual([]);
    expect(issuesOf({ ...MINIMAL, token_endpoint: 'http://10.0.0.1/token' })).toHaveLength(1);
  });
});

describe('served metadata', () => {
  it('removes what the mock does not implement and keeps unknown members', async () => {
    const idp = await createMockIdp({
      discovery: {
        ...MINIMAL,
        scopes_supported: ['openid'],
        registration_endpoint: 'https://idp.example.com/register',
        device_authorization_endpoint: 'https://idp.example.com/device',
        grant_types_supported: ['authorization_code', 'implicit', 'client_credentials', 'refresh_token'],
        response_types_supported: ['code', 'id_token token', 'token'],
        token_endpoint_auth_methods_supported: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic'],
        token_endpoint_auth_signing_alg_values_supported: ['HS256', 'ES256'],
        id_token_signing_alg_values_supported: ['ES256', 'RS256'],
        code_challenge_methods_supported: ['S256', 'S512'],
        x_custom: 'kept',
      },
    });
    expect(idp.metadata.registration_endpoint).toBeUndefined();
    expect(idp.metadata.device_authorization_endpoint).toBeUndefined();
    expect(idp.metadata.grant_types_supported).toEqual(['authorization_code', 'refresh_token']);
    expect(idp.metadata.response_types_supported).toEqual(['code']);
    expect(idp.metadata.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt', 'client_secret_basic']);
    // private_key_jwt is asymmetric only (OIDC Core 9): HS256 is dropped.
    expect(idp.metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(['ES256']);
    expect(idp.metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(idp.metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(idp.metadata.x_custom).toBe('kept');
  });

  it('signs with the first RSA algorithm the document advertises', async () => {
    const idp = await createMockIdp({
      discovery: { ...MINIMAL, scopes_supported: ['openid'], id_token_signing_alg_values_supported: ['PS256'] },
    });
    expect((await idp.keys.currentPublicJwk()).alg).toBe('PS256');
  });

  it('keeps the original URLs when asked to (for interception of the real hosts)', async () => {
    const idp = await createMockIdp({ profile: 'lexoffice', baseUrl: 'http://127.0.0.1:1', keepOriginalUrls: true });
    expect(idp.issuer).toBe('https://login.lexoffice.io');
    expect(idp.endpoints.token).toBe('https://login.lexoffice.io/oauth2/token');
    expect(idp.apiBaseUrl).toBe('https://api.lexoffice.io');
    const response = await idp.handle(new Request('https://login.lexoffice.io/.well-known/openid-configuration'));
    expect(((await response.json()) as { issuer: string }).issuer).toBe('https://login.lexoffice.io');
  });

  it('routes by path so one handler serves every real host', async () => {
    const idp = await createMockIdp({ profile: 'lexoffice-partner', keepOriginalUrls: true });
    const discovery = await idp.handle(new Request('https://app.lexoffice.de/.well-known/oauth-authorization-server'));
    expect(discovery.status).toBe(200);
    const revoke = await idp.handle(new Request('https://api.lexoffice.io/v1/revoke', { method: 'POST' }));
    expect(revoke.status).toBe(401);
    expect(idp.journal.entries().at(-1)?.endpoint).toBe('revocation');
  });
});

describe('bundled profiles over HTTP', () => {
  let lexoffice: RunningMockIdp;
  let partner: RunningMockIdp;
  beforeAll(async () => {
    [lexoffice, partner] = await Promise.all([startMockIdp({}), startMockIdp({ profile: 'lexoffice-partner' })]);
  });
  afterAll(async () => {
    await Promise.all([lexoffice.close(), partner.close()]);
  });

  it('serves the lexoffice document rebased onto the local origin, paths kept', async () => {
    const response = await fetch(`${lexoffice.url}/.well-known/openid-configuration`);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(lexoffice.url);
    expect(doc.authorization_endpoint).toBe(`${lexoffice.url}/oauth2/authorize`);
    expect(doc.token_endpoint).toBe(`${lexoffice.url}/oauth2/token`);
    expect(doc.userinfo_endpoint).toBe(`${lexoffice.url}/oauth2/userinfo`);
    expect(doc.jwks_uri).toBe(`${lexoffice.url}/oauth2/jwks`);
    expect(doc.revocation_endpoint).toBe(`${lexoffice.url}/oauth2/revoke`);
    expect(doc.introspection_endpoint).toBe(`${lexoffice.url}/oauth2/introspect`);
    expect(doc.end_session_endpoint).toBe(`${lexoffice.url}/oauth2/logout`);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'contact.read', 'invoice.read']));
    expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(lexoffice.idp.apiBaseUrl).toBe(lexoffice.url);
  });

  it('serves the partner document at the RFC 8414 path without PKCE or OpenID Connect', async () => {
    const response = await fetch(`${partner.url}/.well-known/oauth-authorization-server`);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(partner.url);
    expect(doc.authorization_endpoint).toBe(`${partner.url}/api/oauth2/authorize`);
    expect(doc.token_endpoint).toBe(`${partner.url}/api/oauth2/token`);
    expect(doc.revocation_endpoint).toBe(`${partner.url}/v1/revoke`);
    expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic']);
    expect(doc).not.toHaveProperty('code_challenge_methods_supported');
    expect(doc).not.toHaveProperty('userinfo_endpoint');
    expect(doc).not.toHaveProperty('jwks_uri');
    expect((await fetch(`${partner.url}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('does not serve endpoints the document does not advertise', async () => {
    expect((await fetch(`${partner.url}/oauth2/userinfo`)).status).toBe(404);
    expect((await fetch(`${partner.url}/oauth2/jwks`)).status).toBe(404);
    expect((await fetch(`${partner.url}/oauth2/token`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses to register a client whose authentication method the profile does not advertise', () => {
    expect(() =>
      partner.idp.registerClient({ clientId: 'pub', authMethod: 'none', redirectUris: ['http://127.0.0.1/cb'] }),
    ).toThrow(/client\.authMethod/);
  });
});

describe('discovery from a file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mock-idp-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves any discovery file, at the path its issuer implies', async () => {
    const file = join(dir, 'realm.json');
    await writeFile(
      file,
      JSON.stringify({
        issuer: 'https://sso.example.com/realms/acme',
        authorization_endpoint: 'https://sso.example.com/realms/acme/auth',
        token_endpoint: 'https://sso.example.com/realms/acme/token',
        jwks_uri: 'https://sso.example.com/realms/acme/certs',
        scopes_supported: ['openid', 'email'],
      }),
    );
    const running = await startMockIdp({ profile: file });
    try {
      expect(running.idp.issuer).toBe(`${running.url}/realms/acme`);
      const response = await fetch(`${running.url}/realms/acme/.well-known/openid-configuration`);
      expect(((await response.json()) as { token_endpoint: string }).token_endpoint).toBe(
        `${running.url}/realms/acme/token`,
      );
    } finally {
      await running.close();
    }
  });

  it('rejects a file that is not a valid document, naming the path', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ ...MINIMAL, jwks_uri: 'ftp://x' }));
    await expect(createMockIdp({ profile: file })).rejects.toThrow('discovery.jwks_uri: expected an https URL');
  });
});
