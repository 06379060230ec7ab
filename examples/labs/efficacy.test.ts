/**
 * The efficacy matrix: every client check fails on its lab(s), and no check fails on the reference
 * clients. A catalog entry without a lab, or a lab whose check does not fail, fails this test.
 *
 * Each lab is audited with only the check(s) it exists to fail (a fresh target process each); the
 * reference clients get the whole catalog. This is the end-to-end proof that the checks detect what they
 * claim and do not flag correct clients.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runClientAudit } from '../../harness/runner/client-audit.js';
import { clientChecks } from '../../scenarios/catalog.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const INDEX = JSON.parse(readFileSync(resolve(HERE, 'labs.json'), 'utf8')) as {
  labs: Array<{ dir: string; fails: string[] }>;
};

/** Reference clients no check may fail on. */
const REFERENCES = ['reference-web', 'reference-spa', 'openid-client-web'];

async function audit(manifest: string, only?: string[]) {
  return runClientAudit({
    manifestPath: manifest,
    seed: 1,
    only,
    concurrency: only ? 1 : 2,
    checkTimeoutMs: 60_000,
    handleSignals: false,
  });
}

describe('efficacy matrix', () => {
  it('has at least one lab for every client check, and every lab folder is complete', () => {
    const covered = new Set(INDEX.labs.flatMap((l) => l.fails));
    for (const c of clientChecks) expect(covered.has(c.id), `no lab fails ${c.id}`).toBe(true);
    for (const l of INDEX.labs) {
      for (const file of ['server.ts', 'target.json', 'README.md']) {
        expect(existsSync(resolve(HERE, l.dir, file)), `${l.dir}/${file}`).toBe(true);
      }
      for (const id of l.fails)
        expect(
          clientChecks.some((c) => c.id === id),
          `${l.dir}: unknown check ${id}`,
        ).toBe(true);
    }
  });

  for (const lab of INDEX.labs) {
    it(`lab ${lab.dir} fails ${lab.fails.join(', ')}`, { timeout: 180_000 }, async () => {
      const report = await audit(resolve(HERE, lab.dir, 'target.json'), lab.fails);
      for (const id of lab.fails) {
        const r = report.results.find((x) => x.id === id);
        expect(r?.verdict, `${id}: ${r?.summary}`).toBe('fail');
      }
    });
  }

  for (const ref of REFERENCES) {
    it(`no check fails on ${ref}`, { timeout: 600_000 }, async () => {
      const report = await audit(resolve(HERE, '..', ref, 'target.json'));
      const failed = report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.id}: ${r.summary}`);
      expect(failed).toEqual([]);
    });
  }
});
