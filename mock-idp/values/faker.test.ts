import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Faker, base, de, en } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { seededFaker } from './faker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A few values of each kind the mock's users and API data draw. */
function sample(f: Faker): unknown[] {
  return Array.from({ length: 20 }, () => [
    f.person.firstName(),
    f.person.lastName(),
    f.company.name(),
    f.location.streetAddress(),
    f.phone.number(),
    f.internet.email({ provider: 'example.de' }),
    f.commerce.productName(),
    f.string.uuid(),
  ]);
}

describe('seededFaker', () => {
  it('draws the same values as a Faker of the main entry with the de, en and base locales', () => {
    for (const seed of [1, 2, 42]) {
      const reference = new Faker({ locale: [de, en, base] });
      reference.seed(seed);
      expect(sample(seededFaker(seed))).toEqual(sample(reference));
    }
  });

  it('gives each caller its own generator, so drawing from one does not move another', () => {
    const fresh = seededFaker(7);
    const expected = [fresh.person.firstName(), fresh.person.firstName()];
    const a = seededFaker(7);
    const first = a.person.firstName();
    const b = seededFaker(7);
    b.person.firstName();
    b.person.firstName();
    b.person.firstName();
    expect([first, a.person.firstName()]).toEqual(expected);
  });
});

/**
 * Creates a provider in a new process (this one has Faker loaded already), then either calls
 * `prepare()` or starts a login, and tells whether Faker's module was loaded after each step.
 */
async function fakerLoadedAfter(step: 'prepare' | 'login'): Promise<{ afterCreate: boolean; afterStep: boolean }> {
  const script = `
    import { createRequire } from 'node:module';
    const { createMockIdp } = await import('./mock-idp/index.ts');
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).some((k) => k.includes('@faker-js'));
    const idp = await createMockIdp({ profile: 'lexoffice', seed: 5, baseUrl: 'http://127.0.0.1:4000' });
    const afterCreate = loaded();
    if (${JSON.stringify(step)} === 'prepare') idp.prepare();
    else {
      const redirect = 'http://127.0.0.1:9/cb';
      idp.registerClient({ clientId: 'c', authMethod: 'none', redirectUris: [redirect] });
      const url = new URL(idp.endpoints.authorization);
      url.search = new URLSearchParams({ response_type: 'code', client_id: 'c', redirect_uri: redirect,
        scope: 'openid', state: 's'.repeat(22), nonce: 'n'.repeat(22),
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      const res = await idp.handle(new Request(url, { redirect: 'manual' }));
      if (!new URL(res.headers.get('location')).searchParams.get('code')) throw new Error('no code');
    }
    process.stdout.write(JSON.stringify({ afterCreate, afterStep: loaded() }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as { afterCreate: boolean; afterStep: boolean };
}

describe('loading Faker', () => {
  it('waits until the provider is asked for its people: by prepare(), or by the first login', async () => {
    const [prepared, loggedIn] = await Promise.all([fakerLoadedAfter('prepare'), fakerLoadedAfter('login')]);
    expect(prepared).toEqual({ afterCreate: false, afterStep: true });
    expect(loggedIn).toEqual({ afterCreate: false, afterStep: true });
  });
});
