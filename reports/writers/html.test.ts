import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HOSTILE_PAYLOADS, hostileReport, makeReport } from '../testing/fixtures.js';
import { escapeHtml } from './escape.js';
import { HTML_CSP, renderHtml } from './html.js';

/** Every start tag in the document: name and raw attribute text. */
function tags(html: string): Array<{ name: string; attrs: string }> {
  const out: Array<{ name: string; attrs: string }> = [];
  const re = /<([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) out.push({ name: m[1].toLowerCase(), attrs: m[2] });
  return out;
}

function scripts(html: string): Array<{ attrs: string; body: string }> {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1], body: m[2] }));
}

const ALLOWED_TAGS = new Set(
  'html head meta title style body header main footer section h1 h2 h3 ul li b p div span table thead tbody tr th td form fieldset legend label input button noscript details summary pre code a script svg defs marker path rect text line g blockquote'.split(
    ' ',
  ),
);

describe('HTML writer', () => {
  it('is one document with a strict Content-Security-Policy that admits only its own script by hash', () => {
    const html = renderHtml(makeReport());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(HTML_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_CSP)}">`);
    const executable = scripts(html).filter((s) => !s.attrs.includes('application/json'));
    expect(executable).toHaveLength(1);
    const hash = createHash('sha256').update(executable[0].body, 'utf8').digest('base64');
    expect(HTML_CSP).toContain(`'sha256-${hash}'`);
  });

  it('loads nothing from the network: no src, no stylesheet links, links only to http(s) references', () => {
    const html = renderHtml(hostileReport());
    for (const t of tags(html)) {
      expect(t.attrs).not.toMatch(/\bsrc\s*=/i);
      if (t.name === 'link') throw new Error('a <link> element would load a resource');
      if (/\bhref\s*=/i.test(t.attrs)) {
        expect(t.name).toBe('a');
        // In-page links (a compensating control's result) load nothing; any other link is http(s).
        if (/href="#check-[A-Za-z0-9._-]+"/.test(t.attrs)) continue;
        expect(t.attrs).toMatch(/href="https?:\/\/[^"]+"/);
        expect(t.attrs).toContain('rel="noopener noreferrer"');
      }
    }
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
  });

  it('escapes a hostile payload in every target-controlled field', () => {
    const report = hostileReport();
    const html = renderHtml(report);
    for (const t of tags(html)) {
      expect(ALLOWED_TAGS.has(t.name), `unexpected <${t.name}${t.attrs}>`).toBe(true);
      expect(t.attrs, `event handler in <${t.name}${t.attrs}>`).not.toMatch(/\son[a-z]+\s*=/i);
    }
    expect(html).not.toMatch(/href="javascript:/i);
    for (const payload of HOSTILE_PAYLOADS.slice(0, 8)) {
      expect(html).not.toContain(payload);
      expect(html).toContain(escapeHtml(payload));
    }
    // Target name, kind, profile, manifest, summaries, observations, header names and values, bodies, notes.
    const escapedScript = escapeHtml('<script>alert(1)</script>');
    const occurrences = html.split(escapedScript).length - 1;
    expect(occurrences).toBeGreaterThan(report.results.length * 8);
    expect(html).toContain(`<title>Login audit: acme ${escapeHtml(HOSTILE_PAYLOADS[0])}`);
  });

  it('embeds the report as JSON that cannot end the script element and parses back to the report', () => {
    const report = hostileReport();
    const html = renderHtml(report);
    const data = scripts(html).find((s) => s.attrs.includes('id="report-data"'));
    expect(data).toBeDefined();
    expect(data?.body).not.toContain('<');
    expect(data?.body).not.toContain('>');
    expect(JSON.parse(data?.body ?? '')).toEqual(report);
  });

  it('summarises by severity and lists failures first with rationale, remediation and references', () => {
    const html = renderHtml(makeReport());
    expect(html).toContain('<table class="by-severity">');
    const order = [
      ...html.matchAll(/<details class="finding" id="[^"]+" data-verdict="([^"]+)" data-severity="([^"]+)"/g),
    ].map((m) => `${m[1]}/${m[2]}`);
    expect(order.slice(0, 5)).toEqual(['fail/critical', 'fail/high', 'fail/high', 'fail/medium', 'fail/medium']);
    expect(order.at(-1)).toBe('pass/info');
    expect(html).toContain('<h3>Why it matters</h3>');
    expect(html).toContain('<h3>How to fix</h3>');
    expect(html).toContain(
      '<a href="https://www.rfc-editor.org/rfc/rfc6749#section-10.12" rel="noopener noreferrer" target="_blank">RFC 6749 §10.12</a>',
    );
  });

  it('draws the login as a sequence diagram across user agent, client and provider lanes', () => {
    const html = renderHtml(makeReport());
    const svg = html.match(/<svg class="sequence"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(svg).toContain('User agent (harness)');
    expect(svg).toContain('Client (target)');
    expect(svg).toContain('Provider (mock)');
    // GET /login (ua → client), GET /authorize (ua → provider), POST /token (client → provider).
    expect(svg).toMatch(/<line x1="120" y1="\d+" x2="400"[^>]*\/>\s*<text[^>]*>GET \/login/);
    expect(svg).toMatch(/<line x1="120" y1="\d+" x2="680"[^>]*\/>\s*<text[^>]*>GET \/authorize/);
    expect(svg).toMatch(/<line x1="400" y1="\d+" x2="680"[^>]*\/>\s*<text[^>]*>POST \/token/);
  });

  it('shows how each non-pass verdict was reached: policy, requirement, conditions with controls, other policies', () => {
    const html = renderHtml(makeReport());
    const warn = html.match(/<details class="finding" id="check-state\.replay"[\s\S]*?<\/details>/)?.[0] ?? '';
    expect(warn).toContain('<h3>How the verdict was reached</h3>');
    expect(warn).toContain('Policy <b>rfc9700</b>: <span class="badge v-warn">Warning</span> (the check found: fail)');
    expect(warn).toContain(
      'Requirement <span class="badge level">MUST</span> (<a href="https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1"',
    );
    expect(warn).toContain('<b>PKCE binds the login to the browser</b>');
    expect(warn).toContain('<span class="badge held-yes">held</span>');
    expect(warn).toContain('<code>single-provider</code> holds');
    // pkce.s256 is in the report: its result is linked; pkce.verifier-fresh is not.
    expect(warn).toContain(
      '<a href="#check-pkce.s256"><code>pkce.s256</code></a> <span class="badge v-pass">Pass</span>',
    );
    expect(warn).toContain('<code>pkce.verifier-fresh</code> <span class="badge v-pass">Pass</span>');
    expect(warn).toContain('<th scope="row">strict</th><td><span class="badge v-fail">Fail</span>');
    expect(warn).toContain('<th scope="row">rfc9700 (this run)</th>');
    // A pass, and a result without a judgement, show no reasoning.
    const pass = html.match(/<details class="finding" id="check-state\.present"[\s\S]*?<\/details>/)?.[0] ?? '';
    expect(pass).not.toContain('How the verdict was reached');
    const leak = html.match(/<details class="finding" id="check-leak\.logs"[\s\S]*?<\/details>/)?.[0] ?? '';
    expect(leak).not.toContain('How the verdict was reached');
    expect(html).toContain('Policy: <b>rfc9700</b>');
  });

  it('says so when the report is partial', () => {
    expect(renderHtml(makeReport({ status: 'interrupted' }))).toContain('The run ended early (interrupted)');
    expect(renderHtml(makeReport())).not.toContain('The run ended early');
  });
});
