/**
 * Faker with the German locale, English behind it and the locale-independent data last, loaded from
 * the package's `locale/de` entry. The package's main entry loads every locale it ships (some seventy
 * modules) and was the largest single part of the CLI's start; `locale/de` loads three.
 */
import type { Faker, LocaleDefinition } from '@faker-js/faker';
import { faker as germanFaker } from '@faker-js/faker/locale/de';

/** The class of the package's instances (the `locale/de` entry exports an instance, not the class). */
const FakerClass = germanFaker.constructor as new (options: { locale: LocaleDefinition }) => Faker;

/**
 * A new Faker seeded with `seed`, on the German, English and base definitions merged in that order.
 * Each call gets its own instance (seeding one never moves another's sequence).
 */
export function seededFaker(seed: number): Faker {
  const f = new FakerClass({ locale: germanFaker.rawDefinitions });
  f.seed(seed);
  return f;
}
