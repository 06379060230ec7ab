import type { Faker } from '@faker-js/faker';
import { faker as germanFaker } from '@faker-js/faker/locale/de';

/**
 * The package's main entry loads every one of its ~70 locales (about 0.4 s at start-up, for every
 * process that creates a mock provider); the `locale/de` entry loads German, English and the base
 * definitions only, already merged in that order of precedence, as `new Faker({ locale: [de, en, base] })`
 * merges them. Its `Faker` class is the same class the main entry exports.
 */
const FakerClass = germanFaker.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;

/**
 * A Faker of its own (not the shared `faker` of the locale entry) with German definitions, English and
 * then the base definitions where German has none, seeded with `seed`: the same values for the same seed.
 */
export function seededGermanFaker(seed: number): Faker {
  const faker = new FakerClass({ locale: germanFaker.rawDefinitions });
  faker.seed(seed);
  return faker;
}
