import { describe, expect, it } from 'vitest';
import { ValueDeriver } from '../values/derive-value.js';
import { seededUsers } from './seeded-users.js';

describe('seededUsers', () => {
  it('gives the same people for the same seed, also from a second provider of the process', () => {
    const first = seededUsers(7, new ValueDeriver(7, false));
    const second = seededUsers(7, new ValueDeriver(7, false));
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(new Set(first.map((u) => u.sub)).size).toBe(3);
    for (const u of first) expect(u.email).toMatch(/@example\.com$/);
  });

  it('gives other people for another seed, and subjects from the provider values', () => {
    const a = seededUsers(7, new ValueDeriver(7, false));
    const b = seededUsers(8, new ValueDeriver(8, false));
    expect(b.map((u) => u.name)).not.toEqual(a.map((u) => u.name));
    const otherValues = seededUsers(7, new ValueDeriver(8, false));
    expect(otherValues.map((u) => u.name)).toEqual(a.map((u) => u.name));
    expect(otherValues.map((u) => u.sub)).not.toEqual(a.map((u) => u.sub));
  });
});
