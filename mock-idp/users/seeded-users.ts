import type { ValueDeriver } from '../values/derive-value.js';
import { seededFaker } from '../values/faker.js';

/** A person who can sign in at the mock provider. */
export interface MockUser {
  sub: string;
  name: string;
  given_name: string;
  family_name: string;
  preferred_username: string;
  email: string;
  email_verified: boolean;
  locale: string;
}

/**
 * The names and addresses of `count` people of `seed`, drawn once per process: an audit starts a
 * provider for each check that needs its own, all with the run's seed, and a seeded Faker with the
 * German definitions merged in costs a few milliseconds to make.
 */
const peopleBySeed = new Map<string, ReadonlyArray<{ given: string; family: string; email: string }>>();
/** Seeds remembered at most (a fuzzing run draws many). */
const MAX_SEEDS = 64;

function peopleOf(seed: number, count: number): ReadonlyArray<{ given: string; family: string; email: string }> {
  const key = `${seed}|${count}`;
  let people = peopleBySeed.get(key);
  if (!people) {
    const faker = seededFaker(seed);
    people = Array.from({ length: count }, () => {
      const given = faker.person.firstName();
      const family = faker.person.lastName();
      const email = faker.internet.email({ firstName: given, lastName: family, provider: 'example.com' }).toLowerCase();
      return { given, family, email };
    });
    if (peopleBySeed.size >= MAX_SEEDS) peopleBySeed.clear();
    peopleBySeed.set(key, people);
  }
  return people;
}

/** A few people, the same for the same seed. The first one is used when logins are auto-approved. */
export function seededUsers(seed: number, values: ValueDeriver, count = 3): MockUser[] {
  return peopleOf(seed, count).map(({ given, family, email }, i) => {
    // A UUID-shaped subject, as lexoffice uses, derived from the seed.
    const hex = Buffer.from(values.fixed(`user|${i}`), 'base64url').toString('hex');
    const sub = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    return {
      sub,
      name: `${given} ${family}`,
      given_name: given,
      family_name: family,
      preferred_username: email,
      email,
      email_verified: true,
      locale: 'de-DE',
    };
  });
}
