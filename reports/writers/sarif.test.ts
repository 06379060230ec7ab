import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { hostileReport, makeReport } from '../testing/fixtures.js';
import { renderSarif, toSarifLog } from './sarif.js';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const sarifSchema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
// The official schema is draft-04 and its patterns use non-Unicode escapes.
// A CommonJS module: under NodeNext its default import is `module.exports`, whose `default` is the class.
const Ajv = AjvDraft04.default;
const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
// The formats the schema uses (RFC 3339 date-time, RFC 3986 URI and URI reference), checked rather than ignored.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
ajv.addFormat('uri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/);
ajv.addFormat('uri-reference', /^[^\s<>"{}|\\^`]*$/);
const validate = ajv.compile(sarifSchema);

function expectValid(doc: unknown): void {
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('SARIF writer', () => {
  it('writes a log that validates against the official SARIF 2.1.0 schema', () => {
    expectValid(JSON.parse(renderSarif(makeReport())));
  });

  it('stays valid for a hostile target and a partial run', () => {
    expectValid(JSON.parse(renderSarif({ ...hostileReport(), status: 'interrupted' })));
  });

  it('rejects a log the schema forbids, so the validation can fail', () => {
    const log = toSarifLog(makeReport()) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    log.runs[0].results[0].level = 'severe';
    expect(validate(log)).toBe(false);
  });

  it('declares one rule per check with descriptions, help, first reference and security severity', () => {
    const report = makeReport();
    const rules = toSarifLog(report).runs[0].tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(report.results.map((r) => r.id));
    const alg = rules.find((r) => r.id === 'id-token.alg-none');
    expect(alg?.name).toBe('IdTokenAlgNone');
    expect(alg?.shortDescription?.text).toBe('Title of id-token.alg-none');
    expect(alg?.fullDescription?.text).toContain('altered state is rejected');
    expect(alg?.help?.text).toContain('How to fix: Store the state');
    expect(alg?.help?.markdown).toContain('[RFC 6749 §10\\.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12)');
    expect(alg?.helpUri).toBe('https://www.rfc-editor.org/rfc/rfc6749#section-10.12');
    expect(alg?.properties?.['security-severity']).toBe('9.5');
    expect(alg?.properties?.tags).toEqual(expect.arrayContaining(['security', 'id-token']));
  });

  it('reports fail and warn results with levels from the verdict at the manifest', () => {
    const report = makeReport();
    const results = toSarifLog(report).runs[0].results ?? [];
    const expected = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn');
    expect(results.map((r) => r.ruleId)).toEqual(expected.map((r) => r.id));
    const level = (id: string) => results.find((r) => r.ruleId === id)?.level;
    // Failures are errors whatever their severity (which the rule's default level and security-severity carry).
    expect(level('id-token.alg-none')).toBe('error');
    expect(level('leak.logs')).toBe('error');
    expect(level('nonce.present')).toBe('error');
    // A warning stays a warning, even of a high-severity check.
    expect(level('state.replay')).toBe('warning');
    const rules = toSarifLog(report).runs[0].tool.driver.rules ?? [];
    expect(rules.find((r) => r.id === 'nonce.present')?.defaultConfiguration?.level).toBe('note');
    const loc = results[0].locations?.[0].physicalLocation?.artifactLocation;
    expect(loc).toEqual({ uri: 'examples/acme/target.json', uriBaseId: '%SRCROOT%' });
    for (const r of results) expect(r.ruleIndex).toBe(report.results.findIndex((x) => x.id === r.ruleId));
  });

  it('carries the judgement in the result properties and its reason in the message', () => {
    const report = makeReport();
    const log = toSarifLog(report);
    expect(log.runs[0].properties?.policy).toBe('rfc9700');
    const warn = log.runs[0].results?.find((r) => r.ruleId === 'state.replay');
    expect(warn?.properties?.judgement).toEqual(report.results.find((r) => r.id === 'state.replay')?.judgement);
    expect(warn?.message.text).toBe(
      'Warning: state.replay ended warn. (policy rfc9700: RFC 9700 §4.7.1 is a MUST, but the text allows otherwise when PKCE binds the login to the browser (RFC 9700 §4.7.1), and that held in this run: reported as a warning.)',
    );
    const unjudged = log.runs[0].results?.find((r) => r.ruleId === 'leak.logs');
    expect(unjudged?.properties).not.toHaveProperty('judgement');
    expect(unjudged?.message.text).toBe('leak.logs ended fail.');
  });

  it('writes an absolute manifest under the base folder relative to it', () => {
    const report = makeReport({
      target: { name: 'acme', kind: 'web', profile: 'lexoffice', manifest: '/repo/targets/acme.json' },
    });
    const loc = toSarifLog(report, { baseDir: '/repo' }).runs[0].results?.[0].locations?.[0];
    expect(loc?.physicalLocation?.artifactLocation).toEqual({ uri: 'targets/acme.json', uriBaseId: '%SRCROOT%' });
    const outside = toSarifLog(report, { baseDir: '/elsewhere' }).runs[0].results?.[0].locations?.[0];
    expect(outside?.physicalLocation?.artifactLocation?.uri).toBe('file:///repo/targets/acme.json');
  });

  it('marks baselined findings as externally accepted suppressions', () => {
    const base = makeReport();
    const results = base.results.map((r) =>
      r.id === 'leak.logs' ? { ...r, baselined: { justification: 'fix ships in 4.2', expires: '2027-01-31' } } : r,
    );
    const log = toSarifLog({ ...base, results });
    expectValid(log);
    const leak = log.runs[0].results?.find((r) => r.ruleId === 'leak.logs');
    expect(leak?.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'fix ships in 4.2 (baseline entry expires 2027-01-31)' },
    ]);
  });

  it('lists checks that could not run as tool notifications, not results', () => {
    const log = toSarifLog(makeReport());
    const notes = log.runs[0].invocations?.[0].toolExecutionNotifications ?? [];
    expect(notes.map((n) => n.descriptor?.id)).toEqual(['logout.revoke']);
    expect(log.runs[0].results?.some((r) => r.ruleId === 'logout.revoke')).toBe(false);
  });

  it('never makes a non-http reference the help link', () => {
    const log = toSarifLog(hostileReport());
    for (const rule of log.runs[0].tool.driver.rules ?? []) {
      if (rule.helpUri) expect(rule.helpUri).toMatch(/^https?:\/\//);
      expect(rule.help?.markdown ?? '').not.toContain('](javascript:');
    }
  });
});
