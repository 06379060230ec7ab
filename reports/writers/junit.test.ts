import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { HOSTILE, hostileReport, makeReport } from '../testing/fixtures.js';
import { renderJunit } from './junit.js';

type Node = Record<string, unknown>;

function parse(xml: string): { suites: Node; suite: Node; cases: Node[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name) => ['testcase', 'property', 'testsuite'].includes(name),
    parseAttributeValue: false,
    processEntities: true,
    htmlEntities: false,
  });
  const doc = parser.parse(xml) as { testsuites: Node };
  const suites = doc.testsuites;
  const suite = (suites.testsuite as Node[])[0];
  return { suites, suite, cases: suite.testcase as Node[] };
}

describe('JUnit writer', () => {
  it('writes one testcase per check with the check family as classname', () => {
    const report = makeReport();
    const { suites, suite, cases } = parse(renderJunit(report));
    expect(cases).toHaveLength(report.results.length);
    expect(cases.map((c) => c['@classname'])).toEqual(report.results.map((r) => r.id.slice(0, r.id.lastIndexOf('.'))));
    expect(cases[0]['@name']).toBe('state.present: Title of state.present');
    expect(suites['@tests']).toBe(String(report.summary.total));
    expect(suite['@tests']).toBe(String(report.summary.total));
    expect(suite['@timestamp']).toBe(report.startedAt);
  });

  it('counts failures, errors and skipped as the verdicts say', () => {
    const report = makeReport();
    const { suite, cases } = parse(renderJunit(report));
    const failed = cases.filter((c) => 'failure' in c);
    const errored = cases.filter((c) => 'error' in c);
    const skipped = cases.filter((c) => 'skipped' in c);
    expect(failed).toHaveLength(report.summary.fail);
    expect(errored).toHaveLength(report.summary.error);
    expect(skipped).toHaveLength(report.summary.notApplicable);
    expect(suite['@failures']).toBe(String(report.summary.fail));
    expect(suite['@errors']).toBe(String(report.summary.error));
    expect(suite['@skipped']).toBe(String(report.summary.notApplicable));
  });

  it('gives each failure its severity, summary and remediation', () => {
    const report = makeReport();
    const { cases } = parse(renderJunit(report));
    const alg = cases.find((c) => String(c['@name']).startsWith('id-token.alg-none'));
    const failure = alg?.failure as Node;
    expect(failure['@type']).toBe('critical');
    expect(failure['@message']).toBe('[critical] id-token.alg-none ended fail.');
    expect(String(failure['#text'])).toContain('Remediation: Store the state in the session');
    expect(String(failure['#text'])).toContain('https://www.rfc-editor.org/rfc/rfc6749#section-10.12');
  });

  it('gives a judged failure and a warning the reasoning of their verdict, and names the policy', () => {
    const { cases, suite } = parse(renderJunit(makeReport()));
    const props = (suite.properties as Node).property as Node[];
    expect(props.find((p) => p['@name'] === 'policy')?.['@value']).toBe('rfc9700');
    const failure = String((cases.find((c) => String(c['@name']).startsWith('pkce.s256'))?.failure as Node)['#text']);
    expect(failure).toContain('How the verdict was reached:\n  Policy rfc9700: fail (the check found: fail)\n');
    expect(failure).toContain(
      '  Requirement (MUST, RFC 7636 §4.2 <https://www.rfc-editor.org/rfc/rfc7636#section-4.2>): Clients MUST use the S256',
    );
    expect(failure).toContain('  Under the other policies: strict: fail, fapi2: fail');
    const warning = String(cases.find((c) => String(c['@name']).startsWith('state.replay'))?.['system-out']);
    expect(warning).toContain(
      '  Condition "PKCE binds the login to the browser" (RFC 9700 §4.7.1): held; facts: single-provider holds; ' +
        'compensating controls: pkce.s256 pass, pkce.verifier-fresh pass. The text: "Clients that have ensured',
    );
    expect(warning).toContain('  Why: RFC 9700 §4.7.1 is a MUST, but the text allows otherwise');
  });

  it('marks a check that could not run as an error with its cause', () => {
    const { cases } = parse(renderJunit(makeReport()));
    const broke = cases.find((c) => String(c['@name']).startsWith('logout.revoke'));
    expect((broke?.error as Node)['@type']).toBe('target');
    expect((broke?.error as Node)['@message']).toBe('The target exited during the check.');
  });

  it('reports a baselined failure as skipped with its justification', () => {
    const base = makeReport();
    const results = base.results.map((r) =>
      r.id === 'leak.logs' ? { ...r, baselined: { justification: 'fix ships in 4.2', expires: '2027-01-31' } } : r,
    );
    const { cases, suite } = parse(renderJunit({ ...base, results }));
    const c = cases.find((x) => String(x['@name']).startsWith('leak.logs'));
    expect(c).not.toHaveProperty('failure');
    expect((c?.skipped as Node)['@message']).toBe('accepted by baseline until 2027-01-31: fix ships in 4.2');
    expect(suite['@failures']).toBe(String(base.summary.fail - 1));
    const underPolicy = base.results.map((r) =>
      r.id === 'leak.logs'
        ? { ...r, baselined: { justification: 'fix ships', expires: '2027-01-31', policy: 'strict' as const } }
        : r,
    );
    const again = parse(renderJunit({ ...base, results: underPolicy })).cases.find((x) =>
      String(x['@name']).startsWith('leak.logs'),
    );
    expect((again?.skipped as Node)['@message']).toBe(
      'accepted by baseline under policy strict until 2027-01-31: fix ships',
    );
  });

  it('escapes hostile target text so the XML stays well-formed and the text round-trips', () => {
    const report = hostileReport();
    const xml = renderJunit(report);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<img');
    const { cases, suite } = parse(xml);
    const props = (suite.properties as Node).property as Node[];
    const target = props.find((p) => p['@name'] === 'target');
    // Control characters XML cannot carry are spelled out; everything else round-trips.
    const printable = HOSTILE.replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(target?.['@value']).toBe(`acme ${printable}`);
    const failure = cases.find((c) => 'failure' in c)?.failure as Node;
    expect(String(failure['@message'])).toContain('<script>alert(1)</script>');
  });
});
