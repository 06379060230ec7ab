import { seededGermanFaker } from './seeded-faker.js';
import type { ValueDeriver } from '../values/derive-value.js';

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

/** A few people, the same for the same seed. The first one is used when logins are auto-approved. */
export function seededUsers(seed: number, values: ValueDeriver, count = 3): MockUser[] {
  const faker = seededGermanFaker(seed);
  return Array.from({ length: count }, (_, i) => {
    const given = faker.person.firstName();
    const family = faker.person.lastName();
    const email = faker.internet.email({ firstName: given, lastName: family, provider: 'example.com' }).toLowerCase();
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
