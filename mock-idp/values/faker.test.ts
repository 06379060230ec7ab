import { Faker, base, de, en } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { seededFaker } from './faker.js';

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
