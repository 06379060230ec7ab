import { describe, expect, it } from 'vitest';
import { controlsOf } from '../harness/verdicts/judge.js';
import { REQUIREMENT_LEVELS } from '../reports/model.js';
import { clientChecks } from './catalog.js';
import { providerChecks } from './provider/catalog.js';
import { isRefKey } from './refs.js';
import type { Requirement } from './types.js';

const catalogs = [
  { name: 'client', checks: clientChecks as readonly { id: string; requirement: Requirement }[] },
  { name: 'provider', checks: providerChecks as readonly { id: string; requirement: Requirement }[] },
];

describe('the requirements the checks declare', () => {
  for (const { name, checks } of catalogs) {
    it(`names, for every ${name} check, a quoted rule, its level and a section of the reference table`, () => {
      for (const { id, requirement } of checks) {
        expect(requirement.text.length, id).toBeGreaterThan(20);
        expect(REQUIREMENT_LEVELS, id).toContain(requirement.level);
        expect(isRefKey(requirement.ref), `${id}: ${requirement.ref}`).toBe(true);
        for (const a of [...(requirement.allowances ?? []), ...(requirement.fapi2?.allowances ?? [])]) {
          expect(isRefKey(a.ref), `${id}: ${a.ref}`).toBe(true);
          expect(
            (a.facts?.length ?? 0) + (a.controls?.length ?? 0),
            `${id}: ${a.name} holds on nothing`,
          ).toBeGreaterThan(0);
        }
      }
    });

    it(`lets ${name} checks depend only on existing checks of the same audit, without cycles`, () => {
      const byId = new Map(checks.map((c) => [c.id, c]));
      const visiting = new Set<string>();
      const done = new Set<string>();
      const visit = (id: string, path: string[]): void => {
        if (done.has(id)) return;
        expect(visiting.has(id), `dependency cycle: ${[...path, id].join(' -> ')}`).toBe(false);
        visiting.add(id);
        for (const control of controlsOf(byId.get(id)?.requirement)) {
          expect(byId.has(control), `${id} depends on unknown check ${control}`).toBe(true);
          visit(control, [...path, id]);
        }
        visiting.delete(id);
        done.add(id);
      };
      for (const { id } of checks) visit(id, []);
    });
  }
});
