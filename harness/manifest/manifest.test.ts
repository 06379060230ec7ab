import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, defaultClientId, loadManifest, resolveTarget, type PlaceholderValues } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lh-manifest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const good = () => ({
  name: 'acme-invoicing',
  kind: 'web',
  client: {
    id: 'acme',
    secret: 's3cret',
    redirectUri: 'http://127.0.0.1:{{target.port}}/callback',
    scopes: ['openid', 'profile'],
  },
  start: {
    command: ['node', 'server.mjs', '--issuer={{idp.issuer}}'],
    cwd: 'app',
    env: {
      OAUTH_ISSUER: '{{idp.issuer}}',
      PORT: '{{target.port}}',
      CLIENT: '{{client.id}}',
      CB: '{{client.redirectUri}}',
    },
    ready: { url: 'http://127.0.0.1:{{target.port}}/health' },
  },
  login: { url: 'http://127.0.0.1:{{target.port}}/login' },
  signedIn: { url: 'http://127.0.0.1:{{target.port}}/me', text: 'Signed in' },
  logout: { url: 'http://127.0.0.1:{{target.port}}/logout' },
});

let counter = 0;
async function writeJson(value: unknown): Promise<string> {
  const file = path.join(dir, `m${counter++}.json`);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

async function loadError(value: unknown): Promise<ManifestError> {
  const file = await writeJson(value);
  const err = await loadManifest(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ManifestError);
  return err as ManifestError;
}

const vars: PlaceholderValues = {
  idp: {
    issuer: 'http://127.0.0.1:4000',
    discoveryUrl: 'http://127.0.0.1:4000/.well-known/openid-configuration',
    authorizationEndpoint: 'http://127.0.0.1:4000/authorize',
    tokenEndpoint: 'http://127.0.0.1:4000/token',
    jwksUri: 'http://127.0.0.1:4000/jwks',
    apiBaseUrl: 'http://127.0.0.1:4000/api',
  },
  target: { port: 5123 },
};

describe('manifest validation', () => {
  it('names the path and the allowed values for a wrong auth method', async () => {
    const m = good();
    (m.client as Record<string, unknown>).authMethod = 'basic';
    const err = await loadError(m);
    expect(err.path).toBe('client.authMethod');
    expect(err.message).toBe(
      'client.authMethod: expected one of "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt", got "basic"',
    );
  });

  it('rejects an unknown kind naming the kind field', async () => {
    const err = await loadError({ ...good(), kind: 'mobile' });
    expect(err.path).toBe('kind');
    expect(err.message).toContain('expected one of "web" | "spa" | "driver", got "mobile"');
  });

  it('rejects an unknown placeholder naming the field it appears in', async () => {
    const m = good();
    m.login.url = 'http://127.0.0.1:{{target.prot}}/login';
    const err = await loadError(m);
    expect(err.path).toBe('login.url');
    expect(err.message).toContain('{{target.prot}}');
    expect(err.expected).toContain('{{target.port}}');
  });

  it('rejects an unknown placeholder inside the start environment', async () => {
    const m = good();
    m.start.env.OAUTH_ISSUER = '{{idp.isuer}}';
    const err = await loadError(m);
    expect(err.path).toBe('start.env.OAUTH_ISSUER');
  });

  it('requires a login URL for a web target', async () => {
    const { login: _login, ...m } = good();
    const err = await loadError(m);
    expect(err.path).toBe('login');
    expect(err.message).toContain('required for kind "web"');
  });

  it('requires a signed-in oracle for web and spa targets', async () => {
    const { signedIn: _s, ...web } = good();
    expect((await loadError(web)).path).toBe('signedIn');
    const { signedIn: _t, ...spa } = { ...good(), kind: 'spa' };
    const err = await loadError(spa);
    expect(err.path).toBe('signedIn');
    expect(err.message).toContain('selector');
  });

  it('rejects a selector oracle for a web target and a URL oracle for a spa', async () => {
    expect((await loadError({ ...good(), signedIn: { selector: '#account' } })).path).toBe('signedIn.selector');
    expect((await loadError({ ...good(), kind: 'spa' })).path).toBe('signedIn');
  });

  it('names a misspelled field as unknown', async () => {
    const m = good();
    const client = m.client as Record<string, unknown>;
    client.redirectURI = client.redirectUri;
    delete client.redirectUri;
    const err = await loadError(m);
    // Both the missing and the misspelled field are reported; the first names the required one.
    expect(['client.redirectUri', 'client.redirectURI']).toContain(err.path);
    const err2 = await loadError({ ...good(), extra: 1 });
    expect(err2.path).toBe('extra');
    expect(err2.message).toContain('unknown field');
  });

  it('rejects a secret with authMethod none and a secret-based method without a secret', async () => {
    const a = good();
    (a.client as Record<string, unknown>).authMethod = 'none';
    expect((await loadError(a)).path).toBe('client.authMethod');
    const b = good();
    delete (b.client as Record<string, unknown>).secret;
    (b.client as Record<string, unknown>).authMethod = 'client_secret_post';
    const err = await loadError(b);
    expect(err.path).toBe('client.secret');
    expect(err.message).toContain('client_secret_post');
  });

  it('requires exactly one of jwks or jwksUri, and no secret, for private_key_jwt (TARGETS.md 1.1)', async () => {
    const keyed = (): ReturnType<typeof good> => {
      const m = good();
      const c = m.client as Record<string, unknown>;
      delete c.secret;
      c.authMethod = 'private_key_jwt';
      return m;
    };
    expect((await loadError(keyed())).path).toBe('client.jwks');
    const both = keyed();
    Object.assign(both.client, { jwks: { keys: [{ kty: 'EC' }] }, jwksUri: 'http://127.0.0.1:{{target.port}}/jwks' });
    expect((await loadError(both)).path).toBe('client.jwks');
    const secret = keyed();
    Object.assign(secret.client, { secret: 'x', jwks: { keys: [{ kty: 'EC' }] } });
    expect((await loadError(secret)).path).toBe('client.secret');
    const keysWithoutMethod = good();
    Object.assign(keysWithoutMethod.client, { jwks: { keys: [{ kty: 'EC' }] } });
    expect((await loadError(keysWithoutMethod)).path).toBe('client.jwks');
  });

  it('resolves the placeholders of a jwksUri and keeps registered keys as given', async () => {
    const m = good();
    const c = m.client as Record<string, unknown>;
    delete c.secret;
    Object.assign(c, { authMethod: 'private_key_jwt', jwksUri: 'http://127.0.0.1:{{target.port}}/jwks.json' });
    const target = resolveTarget(await loadManifest(await writeJson(m)), vars);
    expect(target.client.authMethod).toBe('private_key_jwt');
    expect(target.client.jwksUri).toBe('http://127.0.0.1:5123/jwks.json');
    const n = good();
    const d = n.client as Record<string, unknown>;
    delete d.secret;
    Object.assign(d, { authMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] } });
    expect(resolveTarget(await loadManifest(await writeJson(n)), vars).client.jwks?.keys[0]?.crv).toBe('P-256');
  });

  it('names the array element that has the wrong type', async () => {
    const m = good();
    (m.start as Record<string, unknown>).command = ['node', 42];
    const err = await loadError(m);
    expect(err.path).toBe('start.command[1]');
    expect(err.message).toBe('start.command[1]: expected a string, got 42');
  });

  it('requires exactly one readiness probe', async () => {
    const m = good();
    (m.start as Record<string, unknown>).ready = { url: 'http://127.0.0.1:1/', stdout: 'up' };
    expect((await loadError(m)).path).toBe('start.ready');
    const n = good();
    delete (n.start as Record<string, unknown>).ready;
    expect((await loadError(n)).path).toBe('start.ready');
  });

  it('requires a start command for a driver', async () => {
    const err = await loadError({
      name: 'd',
      kind: 'driver',
      client: { redirectUri: 'http://127.0.0.1/cb', scopes: ['openid'] },
    });
    expect(err.path).toBe('start');
  });

  it('rejects a required field that is missing and says it is required', async () => {
    const { name: _n, ...m } = good();
    const err = await loadError(m);
    expect(err.message).toBe('name: expected a string, got nothing (required)');
  });

  it('rejects a profile path that does not exist', async () => {
    const err = await loadError({ ...good(), profile: './nope.json' });
    expect(err.path).toBe('profile');
    expect(err.message).toContain('"./nope.json"');
  });

  it('accepts either start or inProcess but not both, and checks the module exists', async () => {
    const err = await loadError({ ...good(), inProcess: { module: './app.ts' } });
    expect(err.path).toBe('inProcess');
    const { start: _s, ...m } = good();
    const missing = await loadError({ ...m, inProcess: { module: './nope.ts' } });
    expect(missing.path).toBe('inProcess.module');
    await writeFile(path.join(dir, 'app.ts'), 'export async function start() {}\n');
    const t = await loadManifest(
      await writeJson({ ...m, inProcess: { module: './app.ts', env: { ISSUER: '{{idp.issuer}}' } } }),
    );
    expect(t.inProcess).toEqual({
      module: path.join(dir, 'app.ts'),
      export: 'start',
      env: { ISSUER: '{{idp.issuer}}' },
    });
    expect(resolveTarget(t, vars).inProcess).toEqual({
      module: path.join(dir, 'app.ts'),
      export: 'start',
      env: { ISSUER: 'http://127.0.0.1:4000' },
      port: 5123,
    });
  });

  it('rejects a file that is not JSON and names the file', async () => {
    const file = await writeJson('{ "name": ');
    const err = (await loadManifest(file).catch((e: unknown) => e)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.message).toContain('JSON');
    expect(err.file).toBe(file);
  });

  it('rejects a missing file with a usage error', async () => {
    const err = await loadManifest(path.join(dir, 'missing.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
  });
});

describe('manifest policy', () => {
  it('keeps the policy a manifest names, and leaves it unset when it names none', async () => {
    expect((await loadManifest(await writeJson({ ...good(), policy: 'strict' }))).policy).toBe('strict');
    expect((await loadManifest(await writeJson(good()))).policy).toBeUndefined();
  });

  it('refuses an unknown policy as a usage error naming the field and listing the valid ones', async () => {
    const err = await loadError({ ...good(), policy: 'lenient' });
    expect(err.path).toBe('policy');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('policy: expected one of "rfc9700" | "strict" | "fapi2", got "lenient"');
  });
});

describe('manifest native (TARGETS.md §1.1)', () => {
  const driver = () => ({
    name: 'acme-cli',
    kind: 'driver',
    client: { id: 'acme-cli', redirectUri: 'http://127.0.0.1/callback', scopes: ['openid'] },
    start: { command: ['node', 'driver.mjs'], env: { CB: '{{client.redirectUri}}' } },
  });

  it('keeps native on a driver through to the resolved target, and leaves it unset when absent', async () => {
    const t = await loadManifest(await writeJson({ ...driver(), native: true }));
    expect(t.native).toBe(true);
    expect(resolveTarget(t, vars).native).toBe(true);
    expect(resolveTarget(t, vars).start?.env.CB).toBe('http://127.0.0.1/callback');
    expect((await loadManifest(await writeJson(driver()))).native).toBeUndefined();
  });

  it('refuses native on a web target and a non-boolean native, naming the field', async () => {
    const web = await loadError({ ...good(), native: true });
    expect(web.path).toBe('native');
    expect(web.message).toContain('native apps are drivers');
    const odd = await loadError({ ...driver(), native: 'yes' });
    expect(odd.path).toBe('native');
    expect(odd.exitCode).toBe(2);
  });
});

describe('manifest defaults', () => {
  it('fills profile, client id, auth method, timeout and absolute paths', async () => {
    const m = good();
    delete (m.client as Record<string, unknown>).id;
    await writeFile(path.join(dir, 'discovery.json'), '{}');
    const file = await writeJson({ ...m, profile: './discovery.json' });
    const t = await loadManifest(file);
    expect(t.profile).toBe(path.join(dir, 'discovery.json'));
    expect(t.client.id).toBe(defaultClientId('acme-invoicing'));
    expect(t.client.id).toMatch(/^acme-invoicing-[0-9a-f]{8}$/);
    expect(t.client.authMethod).toBe('client_secret_basic');
    expect(t.start?.timeoutMs).toBe(15000);
    expect(t.start?.cwd).toBe(path.join(dir, 'app'));
    expect(t.dir).toBe(dir);
    expect(t.signedIn).toEqual({ url: 'http://127.0.0.1:{{target.port}}/me', status: 200, text: 'Signed in' });
  });

  it('defaults to the lexoffice profile and authMethod none for a public client', async () => {
    const m = good();
    delete (m.client as Record<string, unknown>).secret;
    const t = await loadManifest(await writeJson(m));
    expect(t.profile).toBe('lexoffice');
    expect(t.client.authMethod).toBe('none');
    expect(t.client.secret).toBeUndefined();
  });
});

describe('placeholder substitution', () => {
  it('substitutes provider, client and port values in every allowed section', async () => {
    const t = resolveTarget(await loadManifest(await writeJson(good())), vars);
    expect(t.client.redirectUri).toBe('http://127.0.0.1:5123/callback');
    expect(t.start?.command).toEqual(['node', 'server.mjs', '--issuer=http://127.0.0.1:4000']);
    expect(t.start?.env).toEqual({
      OAUTH_ISSUER: 'http://127.0.0.1:4000',
      PORT: '5123',
      CLIENT: 'acme',
      CB: 'http://127.0.0.1:5123/callback',
    });
    expect(t.start?.ready).toEqual({ url: 'http://127.0.0.1:5123/health' });
    expect(t.login?.url).toBe('http://127.0.0.1:5123/login');
    expect(t.signedIn).toEqual({ url: 'http://127.0.0.1:5123/me', status: 200, text: 'Signed in' });
    expect(t.logout?.url).toBe('http://127.0.0.1:5123/logout');
  });

  it('substitutes placeholders in the logout fields of the second wave and keeps them absent when not declared', async () => {
    const m = good() as ReturnType<typeof good> & { client: Record<string, unknown> };
    m.client.postLogoutRedirectUris = ['http://127.0.0.1:{{target.port}}/signed-out'];
    m.client.backchannelLogoutUri = 'http://127.0.0.1:{{target.port}}/backchannel-logout';
    const t = resolveTarget(await loadManifest(await writeJson(m)), vars);
    expect(t.client.postLogoutRedirectUris).toEqual(['http://127.0.0.1:5123/signed-out']);
    expect(t.client.backchannelLogoutUri).toBe('http://127.0.0.1:5123/backchannel-logout');
    const plain = resolveTarget(await loadManifest(await writeJson(good())), vars);
    expect(plain.client).not.toHaveProperty('postLogoutRedirectUris');
    expect(plain.client).not.toHaveProperty('backchannelLogoutUri');
  });

  it('names the logout field whose value is not an http(s) URL or whose placeholder is unknown', async () => {
    const m = good() as ReturnType<typeof good> & { client: Record<string, unknown> };
    m.client.backchannelLogoutUri = 'not a url';
    const template = await loadManifest(await writeJson(m));
    expect(() => resolveTarget(template, vars)).toThrow(/client\.backchannelLogoutUri/);
    const n = good() as ReturnType<typeof good> & { client: Record<string, unknown> };
    n.client.postLogoutRedirectUris = ['http://127.0.0.1:{{port}}/bye'];
    expect((await loadError(n)).message).toMatch(/client\.postLogoutRedirectUris\[0\]/);
  });

  it('leaves the template untouched so it can be resolved again for another run', async () => {
    const template = await loadManifest(await writeJson(good()));
    const a = resolveTarget(template, vars);
    const b = resolveTarget(template, { ...vars, target: { port: 6000 } });
    expect(a.login?.url).toContain(':5123/');
    expect(b.login?.url).toContain(':6000/');
    expect(template.login?.url).toContain('{{target.port}}');
  });

  it('rejects a placeholder the provider has no value for', async () => {
    const m = good();
    (m.start.env as Record<string, string>).REVOKE = '{{idp.revocationEndpoint}}';
    const template = await loadManifest(await writeJson(m));
    expect(() => resolveTarget(template, vars)).toThrow(ManifestError);
    expect(() => resolveTarget(template, vars)).toThrow(/start\.env\.REVOKE/);
  });

  it('rejects an unknown placeholder in a template built by hand', async () => {
    const template = await loadManifest(await writeJson(good()));
    const broken = { ...template, login: { url: 'http://127.0.0.1:{{port}}/' } };
    expect(() => resolveTarget(broken, vars)).toThrow(/login\.url: expected a known placeholder/);
  });

  it('substitutes a placeholder written with spaces inside the braces', async () => {
    const m = good();
    m.login.url = 'http://127.0.0.1:{{ target.port }}/login';
    const t = resolveTarget(await loadManifest(await writeJson(m)), vars);
    expect(t.login?.url).toBe('http://127.0.0.1:5123/login');
  });
});

describe('the providers field and {{idp2.*}} placeholders (TARGETS.md §1.1)', () => {
  const second: PlaceholderValues = {
    ...vars,
    idp2: {
      issuer: 'http://127.0.0.1:4100',
      discoveryUrl: 'http://127.0.0.1:4100/.well-known/openid-configuration',
      authorizationEndpoint: 'http://127.0.0.1:4100/authorize',
      tokenEndpoint: 'http://127.0.0.1:4100/token',
      apiBaseUrl: 'http://127.0.0.1:4100/api',
    },
  };
  const twoProviders = () => {
    const m = { ...good(), providers: 2 };
    (m.start.env as Record<string, string>).OAUTH_ISSUER_2 = '{{idp2.issuer}}';
    (m.start.env as Record<string, string>).TOKEN_2 = '{{ idp2.tokenEndpoint }}';
    return m;
  };

  it('keeps "providers": 2 on the target and resolves {{idp2.*}} with the second provider\'s values', async () => {
    const template = await loadManifest(await writeJson(twoProviders()));
    expect(template.providers).toBe(2);
    const t = resolveTarget(template, second);
    expect(t.providers).toBe(2);
    expect(t.start?.env.OAUTH_ISSUER).toBe('http://127.0.0.1:4000');
    expect(t.start?.env.OAUTH_ISSUER_2).toBe('http://127.0.0.1:4100');
    expect(t.start?.env.TOKEN_2).toBe('http://127.0.0.1:4100/token');
  });

  it('leaves providers absent for a manifest that does not declare it', async () => {
    const template = await loadManifest(await writeJson(good()));
    expect(template).not.toHaveProperty('providers');
    expect(resolveTarget(template, vars)).not.toHaveProperty('providers');
  });

  it('refuses an {{idp2.*}} placeholder without "providers": 2, naming the field', async () => {
    const m = good();
    (m.start.env as Record<string, string>).OAUTH_ISSUER_2 = '{{idp2.issuer}}';
    const err = await loadError(m);
    expect(err.path).toBe('start.env.OAUTH_ISSUER_2');
    expect(err.message).toContain('"providers": 2');
    expect(err.message).toContain('{{idp2.issuer}}');
    const one = {
      ...good(),
      providers: 1,
      login: { url: 'http://127.0.0.1:{{target.port}}/login?as={{idp2.issuer}}' },
    };
    const err1 = await loadError(one);
    expect(err1.path).toBe('login.url');
    expect(err1.message).toContain('"providers": 1');
  });

  it('refuses a providers value other than 1 or 2', async () => {
    expect((await loadError({ ...good(), providers: 3 })).message).toBe('providers: expected a number <= 2, got 3');
    expect((await loadError({ ...good(), providers: 0 })).path).toBe('providers');
    expect((await loadError({ ...good(), providers: 1.5 })).path).toBe('providers');
  });

  it('still refuses an unknown idp2 placeholder name as unknown', async () => {
    const m = twoProviders();
    (m.start.env as Record<string, string>).X = '{{idp2.tokenUrl}}';
    const err = await loadError(m);
    expect(err.path).toBe('start.env.X');
    expect(err.expected).toContain('{{idp2.tokenEndpoint}}');
  });
});

describe('module manifests', () => {
  it('loads a .ts manifest whose default export is defineTarget({...})', async () => {
    const defineTarget = pathToFileURL(path.resolve(import.meta.dirname, '../define-target.ts')).href;
    const file = path.join(dir, 'target.ts');
    await writeFile(
      file,
      `import { defineTarget } from ${JSON.stringify(defineTarget)};
const port: string = '{{target.port}}';
export default defineTarget({
  name: 'ts-target',
  kind: 'driver',
  client: { redirectUri: 'http://127.0.0.1:' + port + '/cb', scopes: ['openid'] },
  start: { command: ['python3', 'driver.py'] },
});
`,
    );
    const t = await loadManifest(file);
    expect(t.name).toBe('ts-target');
    expect(t.kind).toBe('driver');
    expect(t.start?.cwd).toBe(dir);
    expect(resolveTarget(t, vars).client.redirectUri).toBe('http://127.0.0.1:5123/cb');
  });

  it('validates a .mjs default export like a JSON manifest', async () => {
    const file = path.join(dir, 'bad.mjs');
    await writeFile(
      file,
      `export default { name: 'x', kind: 'web', client: { redirectUri: 'http://127.0.0.1/cb', scopes: 'openid' } };\n`,
    );
    const err = (await loadManifest(file).catch((e: unknown) => e)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.path).toBe('client.scopes');
    expect(err.message).toContain('expected an array, got "openid"');
  });

  it('rejects a module without a default export', async () => {
    const file = path.join(dir, 'nodefault.mjs');
    await writeFile(file, `export const target = {};\n`);
    const err = (await loadManifest(file).catch((e: unknown) => e)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.message).toContain('default export');
  });
});
