import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkById } from './catalog.js';

const modules = JSON.parse(readFileSync(new URL('./oidf-rp-modules.json', import.meta.url), 'utf8')) as {
  oidccClientTestPlan: string[];
  backChannelLogout: string[];
};
const coverage = readFileSync(new URL('../docs/coverage.md', import.meta.url), 'utf8');
/** Table rows of docs/coverage.md: module, check cell, note. */
const rows = [...coverage.matchAll(/^\| `([A-Za-z0-9]+)` \| ([^|]*) \| ([^|]*) \|$/gm)].map((m) => ({
  module: m[1],
  check: m[2].trim(),
  note: m[3].trim(),
}));

describe('docs/coverage.md', () => {
  it('has a row for every OIDF relying-party module of the list, and no other', () => {
    const listed = [...modules.oidccClientTestPlan, ...modules.backChannelLogout];
    expect(rows.map((r) => r.module).sort()).toEqual([...listed].sort());
  });

  it('names only checks of the catalog, and says why when it names none', () => {
    for (const r of rows) {
      const id = /^`([a-z0-9.-]+)`$/.exec(r.check)?.[1];
      if (id) expect(checkById(id), `${r.module}: ${id}`).toBeDefined();
      else expect(r.note, `${r.module} names no check`).toMatch(/\S/);
    }
  });

  it('states the counts of covered modules the table shows', () => {
    const covered = (list: string[]) => rows.filter((r) => list.includes(r.module) && r.check !== '-').length;
    expect(coverage).toContain(`**${covered(modules.oidccClientTestPlan)} of ${modules.oidccClientTestPlan.length}**`);
    expect(coverage).toContain(`**${covered(modules.backChannelLogout)} of ${modules.backChannelLogout.length}**`);
  });
});
