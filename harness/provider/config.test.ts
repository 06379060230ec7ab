import { describe, expect, it } from 'vitest';
import { parseClientFile, toRegisteredClient } from './config.js';
import { ProviderConfigError } from './metadata.js';

describe('provider audit client file', () => {
  it('accepts public, second and confidential clients with a Playwright login script', () => {
    const file = parseClientFile({
      client: { id: 'app', redirectUri: 'http://127.0.0.1:8765/callback' },
      secondClient: { id: 'app-b', redirectUri: 'http://127.0.0.1:8765/callback' },
      confidentialClient: {
        id: 'srv',
        secretEnv: 'LH_SECRET',
        authMethod: 'client_secret_post',
        redirectUri: 'https://srv.example.com/cb',
      },
      scopes: ['openid', 'offline_access'],
      login: {
        method: 'playwright',
        script: [
          { fill: '#user', env: 'LH_USER' },
          { click: 'button[type=submit]' },
          { click: '#consent', optional: true },
        ],
      },
    });
    expect(toRegisteredClient(file.client, 'primary', '$.client')).toMatchObject({
      authMethod: 'none',
      secret: undefined,
    });
    const conf = toRegisteredClient(file.confidentialClient!, 'confidential', '$.confidentialClient', {
      LH_SECRET: 's3cret-value',
    });
    expect(conf).toMatchObject({ authMethod: 'client_secret_post', secret: 's3cret-value' });
  });

  it('names the JSON path of every problem', () => {
    const bad = {
      client: { id: '', redirectUri: 'nope', authMethod: 'client_secret_basic' },
      login: { method: 'playwright', script: [{ fill: '#user' }] },
      extra: true,
    };
    let message = '';
    try {
      parseClientFile(bad, 'client.json');
    } catch (err) {
      expect(err).toBeInstanceOf(ProviderConfigError);
      message = (err as Error).message;
    }
    for (const p of [
      '$.client.id',
      '$.client.redirectUri',
      '$.client.secret',
      '$.login.script[0].env',
      '$: Unrecognized key: "extra"',
    ]) {
      expect(message).toContain(p);
    }
  });

  it('reports an unset secret variable as a configuration error naming the field', () => {
    const file = parseClientFile({
      client: { id: 'srv', secretEnv: 'LH_NOT_SET', redirectUri: 'https://srv.example.com/cb' },
    });
    expect(() => toRegisteredClient(file.client, 'primary', '$.client', {})).toThrow(
      '$.client.secretEnv: environment variable LH_NOT_SET is not set',
    );
  });
  it('reads a private_key_jwt client with its private key, inline or from the environment, and refuses one without', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', alg: 'ES256', kid: 'k' };
    const file = parseClientFile({
      client: { id: 'app', redirectUri: 'http://127.0.0.1:8765/callback' },
      privateKeyJwtClient: {
        id: 'keyed',
        authMethod: 'private_key_jwt',
        privateJwkEnv: 'LH_KEY',
        redirectUri: 'http://127.0.0.1:8765/callback',
      },
    });
    const keyed = toRegisteredClient(file.privateKeyJwtClient!, 'private_key_jwt', '$.privateKeyJwtClient', {
      LH_KEY: JSON.stringify(jwk),
    });
    expect(keyed).toMatchObject({ authMethod: 'private_key_jwt', privateJwk: { kid: 'k', alg: 'ES256' } });
    expect(() =>
      parseClientFile({
        client: { id: 'app', redirectUri: 'http://127.0.0.1:8765/callback' },
        privateKeyJwtClient: { id: 'k', authMethod: 'private_key_jwt', redirectUri: 'http://127.0.0.1:8765/cb' },
      }),
    ).toThrow(/privateJwk/);
  });

  it('takes a policy, and refuses an unknown one naming the JSON path and the valid policies', () => {
    const client = { id: 'app', redirectUri: 'http://127.0.0.1:8765/callback' };
    expect(parseClientFile({ client, policy: 'fapi2' }).policy).toBe('fapi2');
    expect(parseClientFile({ client }).policy).toBeUndefined();
    expect(() => parseClientFile({ client, policy: 'lax' }, 'client.json')).toThrow(
      '$.policy: unknown policy (valid: rfc9700, strict, fapi2)',
    );
  });
});
