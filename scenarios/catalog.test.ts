import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DISCOVERY_FAULT_DOCS, FAULT_DOCS } from '../mock-idp/index.js';
import { selectChecks } from '../harness/runner/select.js';
import { checkById, clientChecks } from './catalog.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The client ids CHECKS.md requires: read from ../shared/CHECKS.md beside the repository when it is
 * there (CI checks it out next to the clone), else from the committed copy.
 */
function requiredIds(): { ids: string[]; source: string } {
  const shared = resolve(ROOT, '..', 'shared', 'CHECKS.md');
  if (existsSync(shared)) {
    const text = readFileSync(shared, 'utf8');
    const section = text.split(/^## /m).find((s) => s.startsWith('Client checks')) ?? '';
    const ids = [...section.matchAll(/^\| ([a-z0-9][a-z0-9.-]*) \|/gm)].map((m) => m[1]).filter((id) => id !== 'id');
    return { ids, source: shared };
  }
  const copy = JSON.parse(readFileSync(resolve(ROOT, 'scenarios/required-ids.json'), 'utf8')) as { ids: string[] };
  return { ids: copy.ids, source: 'scenarios/required-ids.json' };
}

describe('client check catalog', () => {
  it('has every client id CHECKS.md requires exactly once, in its order', () => {
    const { ids, source } = requiredIds();
    expect(ids.length, source).toBeGreaterThanOrEqual(47);
    const catalog = clientChecks.map((c) => c.id);
    for (const id of ids)
      expect(
        catalog.filter((c) => c === id),
        `${id} (${source})`,
      ).toHaveLength(1);
    expect(catalog.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('keeps the committed copy of the required ids in step with CHECKS.md', () => {
    const copy = JSON.parse(readFileSync(resolve(ROOT, 'scenarios/required-ids.json'), 'utf8')) as { ids: string[] };
    expect(copy.ids).toEqual(requiredIds().ids);
  });

  it('has no duplicate ids', () => {
    const ids = clientChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every check a rationale and remediation a student can learn from', () => {
    for (const c of clientChecks) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.must.length, c.id).toBeGreaterThan(20);
      for (const [field, text] of [
        ['rationale', c.rationale],
        ['remediation', c.remediation],
      ] as const) {
        expect(text.length, `${c.id} ${field}`).toBeGreaterThanOrEqual(150);
        const sentences = text.split(/[.!?](?:\s|$)/).filter((s) => s.trim().length > 0);
        expect(sentences.length, `${c.id} ${field}`).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('declares kinds, agent, references and a target of client for every check', () => {
    for (const c of clientChecks) {
      expect(c.target).toBe('client');
      expect(c.kinds.length, c.id).toBeGreaterThan(0);
      expect(['default', 'browser']).toContain(c.agent);
      expect(c.refs.length, c.id).toBeGreaterThan(0);
      expect(typeof c.run).toBe('function');
    }
  });

  it('declares only fault and discovery fault names the mock provider knows', () => {
    const faults = Object.keys(FAULT_DOCS);
    const discoveryFaults = Object.keys(DISCOVERY_FAULT_DOCS);
    for (const c of clientChecks) {
      for (const f of c.faults ?? []) expect(faults, `${c.id} declares ${f}`).toContain(f);
      for (const d of c.discoveryFaults ?? []) expect(discoveryFaults, `${c.id} declares ${d}`).toContain(d);
    }
    // The checks that provoke the provider declare it (the runner refuses an undeclared fault).
    expect(checkById('id-token.alg-none')?.faults).toEqual(['id-token.alg-none']);
    expect(clientChecks.filter((c) => c.faults?.length).length).toBeGreaterThanOrEqual(15);
  });

  it('is selected by the one selector of both audits: exact id, dotted prefix and family name', () => {
    const findChecks = (only: string[]) => selectChecks(clientChecks, { only });
    expect(findChecks(['state.present']).map((c) => c.id)).toEqual(['state.present']);
    expect(findChecks(['state.']).every((c) => c.id.startsWith('state.'))).toBe(true);
    expect(findChecks(['state.']).length).toBe(6);
    expect(findChecks(['pkce']).map((c) => c.id)).toContain('pkce.s256');
    expect(
      findChecks(['pkce', 'leak.url'])
        .map((c) => c.id)
        .at(-1),
    ).toBe('leak.url');
    expect(findChecks([])).toHaveLength(clientChecks.length);
  });

  it('refuses a selector that names no check', () => {
    expect(() => selectChecks(clientChecks, { only: ['stat'] })).toThrow(
      /--only: no check has the id or prefix "stat"/,
    );
  });

  it('finds a check by id and nothing for an unknown id', () => {
    expect(checkById('pkce.s256')?.title).toMatch(/S256/);
    expect(checkById('pkce')).toBeUndefined();
  });
});
