import { describe, expect, it } from 'vitest';
import { HOSTILE_PAYLOADS, hostileReport, makeReport, makeResult } from '../testing/fixtures.js';
import { MARKDOWN_MARKER, renderMarkdown } from './md.js';

describe('Markdown writer', () => {
  it('starts with a marker and a headline that counts failing checks by severity', () => {
    const text = renderMarkdown(makeReport());
    const [marker, headline] = text.split('\n');
    expect(marker).toBe(MARKDOWN_MARKER);
    expect(headline).toBe(
      '### ❌ Login audit of acme\\-invoicing: 6 failing checks (1 critical, 2 high, 2 medium, 1 low)',
    );
    expect(text).toContain('**3** passed · **6** failed · **1** warnings · **1** not applicable · **1** errors');
  });

  it('tabulates failing findings with severity, id, summary and a fix link, most severe first', () => {
    const text = renderMarkdown(makeReport());
    const rows = text.split('\n').filter((l) => l.startsWith('| **'));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toBe(
      '| **critical** | `id-token.alg-none` | id\\-token\\.alg\\-none ended fail\\. | [RFC 6749 §10\\.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12) |',
    );
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| **critical**',
      '| **high**',
      '| **high**',
      '| **medium**',
      '| **medium**',
      '| **low**',
    ]);
  });

  it('puts remediation in collapsible details and lists warnings and errors separately', () => {
    const text = renderMarkdown(makeReport());
    expect(text).toContain('<details><summary><b>critical</b> id-token.alg-none: Title of id-token.alg-none</summary>');
    expect(text).toContain('**How to fix:** Store the state in the session');
    expect(text).toContain('<details><summary>Warnings, baselined findings and errors (2)</summary>');
    expect(text).toContain('- 💥 `logout.revoke` could not run (target)');
  });

  it('gives failing findings and warnings the reasoning of their verdict, with the policy in the counts line', () => {
    const text = renderMarkdown(makeReport());
    expect(text).toContain('web target, policy rfc9700, seed 42');
    // The warning, nested under its line in the list.
    const lines = text.split('\n');
    const warn = lines.findIndex((l) => l.startsWith('- ⚠️ **medium** `state.replay`'));
    expect(lines.slice(warn + 1, warn + 5)).toEqual([
      '  - **Policy rfc9700:** warn (the check found: fail); under the other policies: strict: fail, fapi2: warn',
      '  - **Requirement** (MUST, [RFC 9700 §4\\.7\\.1](https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1)): The client MUST prevent CSRF: a callback it did not start is refused\\.',
      '  - **Condition** *PKCE binds the login to the browser* ([RFC 9700 §4\\.7\\.1](https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1)): held; facts: single\\-provider holds; compensating controls: `pkce.s256` pass, `pkce.verifier-fresh` pass — “Clients that have ensured that the authorization server supports PKCE MAY rely on the CSRF protection provided by PKCE\\.”',
      '  - **Why:** RFC 9700 §4\\.7\\.1 is a MUST, but the text allows otherwise when PKCE binds the login to the browser \\(RFC 9700 §4\\.7\\.1\\), and that held in this run: reported as a warning\\.',
    ]);
    // The failing finding, at the top of its details block.
    const details = text.slice(text.indexOf('<details><summary><b>high</b> pkce.s256'));
    expect(details).toContain(
      '- **Policy rfc9700:** fail (the check found: fail); under the other policies: strict: fail, fapi2: fail',
    );
    expect(details.slice(0, details.indexOf('</details>'))).toContain(
      '- **Why:** Violated a MUST of RFC 7636 §4\\.2\\.',
    );
  });

  it('says there is nothing failing when every check passes', () => {
    const text = renderMarkdown(makeReport({ results: [makeResult({ verdict: 'pass' })] }));
    expect(text).toContain('### ✅ Login audit of acme\\-invoicing: no failing checks');
    expect(text).not.toContain('| Severity |');
  });

  it('renders no markup, link or mention from hostile target text', () => {
    const text = renderMarkdown(hostileReport());
    for (const payload of HOSTILE_PAYLOADS.slice(0, 7)) expect(text).not.toContain(payload);
    // The only comment is the marker: a target cannot open one that swallows the rest.
    expect(text.split('<!--')).toHaveLength(2);
    expect(text).not.toMatch(/<(script|img|svg|iframe|a)\b/i);
    expect(text).not.toContain('](javascript:');
    // Every row stays one table row.
    for (const row of text.split('\n').filter((l) => l.startsWith('| **')))
      expect(row.split(/(?<!\\)\|/).length).toBe(6);
  });

  it('drops details rather than exceed the comment size limit', () => {
    const long = 'x'.repeat(3000);
    const results = Array.from({ length: 40 }, (_, i) => makeResult({ id: `state.c${i}`, remediation: long }));
    const text = renderMarkdown(makeReport({ results }), { maxLength: 20_000 });
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text).toContain('Details omitted');
    expect(text.split('\n').filter((l) => l.startsWith('| **'))).toHaveLength(40);
  });
});
