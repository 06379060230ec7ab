import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intlBerlinOffset, lexofficeDate } from './data.js';

describe('lexofficeDate', () => {
  it('writes German local time with the offset Intl gives, at any instant since 1996', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1996-01-01T00:00:00Z'), max: new Date('2090-12-31T23:59:59Z'), noInvalidDate: true }),
        (date) => {
          expect(lexofficeDate(date).slice(-6)).toBe(intlBerlinOffset(date));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('changes offset exactly at 01:00 UTC on the last Sundays of March and October', () => {
    for (let year = 2020; year <= 2030; year++) {
      for (const month of [2, 9]) {
        const last = new Date(Date.UTC(year, month + 1, 0, 1));
        const change = last.getTime() - last.getUTCDay() * 86_400_000;
        for (const t of [change - 1, change, change + 1]) {
          const date = new Date(t);
          expect(lexofficeDate(date).slice(-6), date.toISOString()).toBe(intlBerlinOffset(date));
        }
      }
    }
    expect(lexofficeDate(new Date('2026-03-29T00:59:59.999Z'))).toBe('2026-03-29T01:59:59.999+01:00');
    expect(lexofficeDate(new Date('2026-03-29T01:00:00.000Z'))).toBe('2026-03-29T03:00:00.000+02:00');
  });

  it('asks Intl for earlier dates, when German summer time ended in September', () => {
    expect(lexofficeDate(new Date('1990-10-15T12:00:00Z'))).toBe('1990-10-15T13:00:00.000+01:00');
  });
});
