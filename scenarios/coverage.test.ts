import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkById } from './catalog.js';

const modules = z
  .object({
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    oidccClientTestPlan: z.array(z.string()).min(1),
    oidccClientLogoutTestPlan: z.array(z.string()).min(1),
  })
  .parse(JSON.parse(readFileSync(new URL('./oidf-rp-modules.json', import.meta.url), 'utf8')));
const coverage = readFileSync(new URL('../docs/coverage.md', import.meta.url), 'utf8');
/** Table rows of docs/coverage.md: module, check cell, note. */
const rows = [...coverage.matchAll(/^\| `([A-Za-z0-9]+)` \| ([^|]*) \| ([^|]*) \|$/gm)].map((m) => ({
  module: m[1],
  check: m[2].trim(),
  note: m[3].trim(),
}));
/** The table rows under the heading `## <plan>` (up to the next heading). */
function rowsUnder(heading: string): string[] {
  const start = coverage.indexOf(`\n## ${heading}\n`);
  if (start < 0) return [];
  const end = coverage.indexOf('\n## ', start + 1);
  const section = coverage.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1]);
}

describe('docs/coverage.md', () => {
  it('has a row for every OIDF relying-party module of the list, and no other', () => {
    const listed = [...modules.oidccClientTestPlan, ...modules.oidccClientLogoutTestPlan];
    expect(rows.map((r) => r.module).sort()).toEqual([...listed].sort());
  });

  it("lists each plan's modules under that plan, in the plan's order", () => {
    expect(rowsUnder('oidcc-client-test plan')).toEqual(modules.oidccClientTestPlan);
    expect(rowsUnder('oidcc-client-logout-test plan')).toEqual(modules.oidccClientLogoutTestPlan);
  });

  it('names the commit of the suite the lists were read at', () => {
    expect(coverage).toContain(modules.commit.slice(0, 12));
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
    const plan = modules.oidccClientTestPlan;
    const logout = modules.oidccClientLogoutTestPlan;
    const backchannel = logout.filter((m) => m.startsWith('OIDCCClientTestBackChannelLogout'));
    expect(coverage).toContain(`**${covered(plan)} of ${plan.length}**`);
    expect(coverage).toContain(`**${covered(logout)} of ${logout.length}**`);
    expect(coverage).toContain(`**${covered(backchannel)} of ${backchannel.length}**`);
  });
});
