/**
 * Faker with the German locale, English behind it and the locale-independent data last, loaded from
 * the package's `locale/de` entry. The package's main entry loads every locale it ships (some seventy
 * modules) and was the largest single part of the CLI's start; `locale/de` loads three.
 *
 * Loaded on first use, not when the provider's modules are: those three modules still cost about 50 ms
 * of CPU, and a provider needs Faker only for its people and API data, which it makes when first asked
 * for them. A caller with time to spare has them made ahead (`MockIdp.prepare`): an audit does so while
 * it waits for its target to start, so the load is neither before the target's start nor in a login.
 */
import { createRequire } from 'node:module';
import type { Faker, LocaleDefinition } from '@faker-js/faker';

const requireHere = createRequire(import.meta.url);

let german: Faker | undefined;

/** The package's German instance (the `locale/de` entry exports an instance, not the class). */
function germanFaker(): Faker {
  german ??= (requireHere('@faker-js/faker/locale/de') as { faker: Faker }).faker;
  return german;
}

/**
 * A new Faker seeded with `seed`, on the German, English and base definitions merged in that order.
 * Each call gets its own instance (seeding one never moves another's sequence).
 */
export function seededFaker(seed: number): Faker {
  const base = germanFaker();
  const FakerClass = base.constructor as new (options: { locale: LocaleDefinition }) => Faker;
  const f = new FakerClass({ locale: base.rawDefinitions });
  f.seed(seed);
  return f;
}
