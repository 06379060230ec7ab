/**
 * The corpus comparison can fail: doctored reports, built from a real expectation file, are compared
 * with it. A report that says exactly what the file says gives no difference; one changed verdict in
 * either direction, a missing check, or an incomplete run gives one naming it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES, type PolicyName } from '../../reports/model.js';
import {
  CORPUS_DIR,
  compareWithExpected,
  discoverCorpus,
  expectedFailCounts,
  type ComparedReport,
  type Expected,
} from './corpus.js';

const { entries } = await discoverCorpus();
const entry = entries.find((e) => e.folder === 'openid-client');

/** A judged report that gives, under every policy, exactly the verdicts of `expected` for `ids`. */
function reportFrom(expected: Expected, ids: string[]): ComparedReport {
  return {
    status: 'complete',
    results: ids.map((id) => {
      const verdicts = Object.fromEntries(
        POLICY_NAMES.map((p) => [p, expected.policies[p][id]?.verdict ?? 'pass']),
      ) as Record<PolicyName, ComparedReport['results'][number]['verdict']>;
      return { id, verdict: verdicts.rfc9700, summary: 'doctored', judgement: { verdicts } };
    }),
  };
}

describe('comparing a report with a corpus expectation file', () => {
  const expected = entry!.expected;
  const listed = [...new Set(POLICY_NAMES.flatMap((p) => Object.keys(expected.policies[p])))];
  const ids = [...listed, 'pkce.present', 'pkce.s256'];
  const nonPass = Object.entries(expected.policies.strict).find(([, e]) => e.verdict === 'fail');

  it('reads the openid-client entry, whose strict policy expects at least one fail', () => {
    expect(entry?.manifestPath).toBe(path.join(CORPUS_DIR, 'openid-client', 'target.json'));
    expect(nonPass).toBeDefined();
  });

  it('finds no difference when the report says what the file says', () => {
    expect(compareWithExpected(reportFrom(expected, ids), expected)).toEqual([]);
  });

  it('reports an expected non-pass verdict that passed', () => {
    const report = reportFrom(expected, ids);
    const [id] = nonPass!;
    report.results.find((r) => r.id === id)!.judgement!.verdicts.strict = 'pass';
    const diff = compareWithExpected(report, expected);
    expect(diff).toHaveLength(1);
    expect(diff[0]).toMatch(new RegExp(`^strict ${id.replace('.', '\\.')}: expected fail \\(.+\\), got pass`));
  });

  it('reports an unexpected fail of a check the file expects to pass', () => {
    const report = reportFrom(expected, ids);
    report.results.find((r) => r.id === 'pkce.s256')!.judgement!.verdicts.fapi2 = 'fail';
    expect(compareWithExpected(report, expected)).toEqual(['fapi2 pkce.s256: expected pass, got fail: doctored']);
  });

  it('reports a listed check the run did not report, and a run that did not complete', () => {
    const report = reportFrom(expected, ids);
    const [id] = nonPass!;
    report.results = report.results.filter((r) => r.id !== id);
    report.status = 'interrupted';
    const diff = compareWithExpected(report, expected);
    expect(diff[0]).toBe('run status interrupted');
    expect(diff).toContain(`strict ${id}: expected fail, but the run did not report it`);
  });

  it('compares only the default policy while results carry no judgement', () => {
    const report = reportFrom(expected, ids);
    for (const r of report.results) delete r.judgement;
    expect(compareWithExpected(report, expected)).toEqual([]);
    const [id] = nonPass!;
    const rfc = expected.policies.rfc9700[id]?.verdict ?? 'pass';
    report.results.find((r) => r.id === id)!.verdict = rfc === 'fail' ? 'pass' : 'fail';
    const diff = compareWithExpected(report, expected);
    expect(diff).toHaveLength(1);
    expect(diff[0]).toMatch(/^rfc9700 /);
  });
});

describe('the corpus README', () => {
  it('gives each entry the fail counts per policy that its expectation file records', async () => {
    const readme = await readFile(path.join(CORPUS_DIR, 'README.md'), 'utf8');
    for (const e of entries) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${e.folder}/\` |`));
      expect(row, `README row of ${e.folder}`).toBeDefined();
      const c = expectedFailCounts(e.expected);
      expect(row!.trim().endsWith(`| ${c.rfc9700} / ${c.strict} / ${c.fapi2} |`), `${e.folder}: ${row}`).toBe(true);
    }
  });
});
