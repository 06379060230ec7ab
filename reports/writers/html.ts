/**
 * The HTML report: one self-contained file a reviewer or student opens from disk. It loads nothing
 * (no external CSS, script, font or image) and says so with a Content-Security-Policy whose script-src
 * admits only the one inline script, by hash (CSP Level 3 §8.2). Everything that came from the target
 * is escaped; the report data embedded for tools is escaped for the script context.
 */
import { createHash } from 'node:crypto';
import {
  POLICY_NAMES,
  type AllowanceResult,
  type CheckResult,
  type Judgement,
  type Reference,
  type Report,
  type TranscriptEntryModel,
} from '../model.js';
import { SEVERITY_ORDER, severityRank } from '../severity.js';
import { escapeHtml as e, isHttpUrl, jsonForScript } from './escape.js';
import { hasReasoning, heldWords } from './reasoning.js';
import { renderSequenceSvg } from './sequence.js';

const VERDICT_ORDER: CheckResult['verdict'][] = ['fail', 'error', 'warn', 'not-applicable', 'pass'];
const VERDICT_LABEL: Record<CheckResult['verdict'], string> = {
  fail: 'Fail',
  error: 'Error',
  warn: 'Warning',
  'not-applicable': 'Not applicable',
  pass: 'Pass',
};
/** Bodies longer than this are cut in the transcript view; the JSON report keeps them whole. */
const MAX_BODY = 8000;

/** Filters findings by verdict, severity and text. It only toggles `hidden`; it never writes markup. */
const FILTER_SCRIPT = `(function () {
  'use strict';
  var form = document.getElementById('filters');
  var findings = Array.prototype.slice.call(document.querySelectorAll('.finding'));
  var shownCount = document.getElementById('shown-count');
  var noneShown = document.getElementById('none-shown');
  function selected(name) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (input) {
      out[input.value] = input.checked;
    });
    return out;
  }
  function apply() {
    var verdicts = selected('verdict');
    var severities = selected('severity');
    var query = document.getElementById('q').value.trim().toLowerCase();
    var shown = 0;
    findings.forEach(function (f) {
      var ok = verdicts[f.getAttribute('data-verdict')] === true &&
        severities[f.getAttribute('data-severity')] === true &&
        (query === '' || f.textContent.toLowerCase().indexOf(query) !== -1);
      f.hidden = !ok;
      if (ok) shown++;
    });
    shownCount.textContent = String(shown);
    noneShown.hidden = shown !== 0;
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (ev) { ev.preventDefault(); });
  document.getElementById('expand-all').addEventListener('click', function () {
    findings.forEach(function (f) { if (!f.hidden) f.open = true; });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    findings.forEach(function (f) { f.open = false; });
  });
  document.documentElement.setAttribute('data-filters', 'ready');
  apply();
})();
`;

const STYLE = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6675; --line: #d8dee6; --bg: #f7f9fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 16px 20px; }
h1 { font-size: 22px; margin: 8px 0; word-break: break-word; }
h2 { font-size: 17px; margin: 20px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 4px; }
.meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; padding: 0; list-style: none; }
.meta b { color: var(--fg); font-weight: 600; }
.banner { border: 1px solid #e0a800; background: #fff6d6; padding: 8px 12px; border-radius: 6px; margin: 10px 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.tile .n { font-size: 22px; font-weight: 700; display: block; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; }
th { background: #eef2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
form#filters { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; display: flex; flex-wrap: wrap; gap: 8px 22px; align-items: center; position: sticky; top: 0; z-index: 1; }
form#filters fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 10px; flex-wrap: wrap; }
form#filters legend { font-weight: 600; float: left; margin-right: 6px; }
form#filters input[type=search] { padding: 4px 8px; min-width: 240px; border: 1px solid var(--line); border-radius: 4px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.v-fail { background: #fde2e1; color: #a11; } .v-error { background: #efe0fa; color: #62309a; }
.v-warn { background: #fff1cc; color: #7a5400; } .v-not-applicable { background: #eceff3; color: #4a5563; }
.v-pass { background: #dcf5e3; color: #17692f; }
.s-critical { background: #7a0010; color: #fff; } .s-high { background: #d12c2c; color: #fff; }
.s-medium { background: #f08c00; color: #fff; } .s-low { background: #3b7dd8; color: #fff; } .s-info { background: #8896a6; color: #fff; }
.baselined { background: #e7f0ff; color: #1f4e8c; }
details.finding { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; }
details.finding > summary { cursor: pointer; padding: 8px 12px; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
details.finding > summary .id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
details.finding > summary .title { font-weight: 600; }
details.finding > summary .summary { color: var(--muted); flex-basis: 100%; word-break: break-word; }
.body { padding: 0 16px 14px; border-top: 1px solid var(--line); }
.body p { margin: 4px 0 8px; white-space: pre-wrap; word-break: break-word; }
pre { background: #0f1720; color: #e6edf3; padding: 8px 10px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; margin: 4px 0; }
pre.response { background: #1b2430; }
.exchange { margin: 10px 0; }
.exchange .head { color: var(--muted); font-size: 12px; }
.diagram { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 4px; }
svg.sequence text { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; fill: #1d2430; }
ul.refs, ul.obs, ul.allowances { margin: 4px 0 8px; padding-left: 20px; }
.judgement { border-left: 3px solid var(--line); padding-left: 10px; }
.judgement blockquote { margin: 4px 0; padding-left: 8px; border-left: 2px solid var(--line); color: var(--muted); }
.level { background: #e8ecf2; color: var(--fg); }
.held-yes { background: #dcf5e3; color: #17692f; } .held-no { background: #fde2e1; color: #a11; } .held-unknown { background: #efe0fa; color: #62309a; }
table.policies td, table.policies th { padding: 2px 8px; }
table.policies tr.current th { font-weight: 700; }
[hidden] { display: none !important; }
footer { color: var(--muted); font-size: 12px; }
`;

function badgeVerdict(v: CheckResult['verdict']): string {
  return `<span class="badge v-${v}">${e(VERDICT_LABEL[v])}</span>`;
}

function badgeSeverity(s: CheckResult['severity']): string {
  return `<span class="badge s-${s}">${e(s)}</span>`;
}

function anchor(id: string): string {
  return `check-${id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

function headersText(headers: Record<string, string> | undefined): string {
  if (!headers) return '';
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function bodyText(body: string | undefined): string {
  if (body === undefined || body === '') return '';
  return body.length > MAX_BODY ? `${body.slice(0, MAX_BODY)}\n… (${body.length - MAX_BODY} more characters)` : body;
}

function exchange(t: TranscriptEntryModel): string {
  const req = [`${t.method} ${t.url}`, headersText(t.requestHeaders)].filter(Boolean).join('\n');
  const reqBody = bodyText(t.requestBody);
  let html =
    `<div class="exchange"><div class="head">#${e(String(t.seq))} · ${e(t.agent)}${t.note ? ` · ${e(t.note)}` : ''}</div>` +
    `<pre class="request">${e(req)}${reqBody ? `\n\n${e(reqBody)}` : ''}</pre>`;
  if (t.status !== undefined || t.responseHeaders || t.responseBody !== undefined) {
    const res = [`HTTP ${t.status ?? '—'}`, headersText(t.responseHeaders)].filter(Boolean).join('\n');
    const resBody = bodyText(t.responseBody);
    html += `<pre class="response">${e(res)}${resBody ? `\n\n${e(resBody)}` : ''}</pre>`;
  }
  return `${html}</div>`;
}

function dataText(data: unknown): string {
  try {
    return typeof data === 'string' ? data : (JSON.stringify(data, null, 2) ?? String(data));
  } catch {
    return String(data);
  }
}

function reference(ref: CheckResult['references'][number]): string {
  // Only http(s) links become anchors; any other scheme (javascript:, data:) is shown as text.
  if (!isHttpUrl(ref.url)) return `<li>${e(ref.label)} <code>${e(ref.url)}</code></li>`;
  return `<li><a href="${e(ref.url)}" rel="noopener noreferrer" target="_blank">${e(ref.label)}</a></li>`;
}

function refLink(ref: Reference): string {
  // Only http(s) links become anchors; any other scheme is shown as text.
  if (!isHttpUrl(ref.url)) return `${e(ref.label)}`;
  return `<a href="${e(ref.url)}" rel="noopener noreferrer" target="_blank">${e(ref.label)}</a>`;
}

function controlVerdict(v: AllowanceResult['controls'][number]['verdict']): string {
  return v === 'not-run' ? `<span class="badge v-not-applicable">Not run</span>` : badgeVerdict(v);
}

function allowance(a: AllowanceResult, inReport: ReadonlySet<string>): string {
  const facts = a.facts.map((f) => `<code>${e(f.fact)}</code> ${f.holds ? 'holds' : 'does not hold'}`).join(', ');
  const controls = a.controls
    .map((c) => {
      // A control in this report links to its result.
      const id = inReport.has(c.id)
        ? `<a href="#${e(anchor(c.id))}"><code>${e(c.id)}</code></a>`
        : `<code>${e(c.id)}</code>`;
      return `${id} ${controlVerdict(c.verdict)}`;
    })
    .join(', ');
  return (
    `<li><b>${e(a.name)}</b> (${refLink(a.reference)}): <span class="badge held-${e(a.held)}">${e(heldWords(a))}</span>` +
    `<blockquote>${e(a.text)}</blockquote>` +
    (facts ? `<div>Facts: ${facts}</div>` : '') +
    (controls ? `<div>Compensating controls: ${controls}</div>` : '') +
    `</li>`
  );
}

/** How the policy turned the check's finding into this verdict (docs/verdicts.md). */
function reasoning(r: CheckResult & { judgement: Judgement }, inReport: ReadonlySet<string>): string {
  const j = r.judgement;
  const policies = POLICY_NAMES.map(
    (p) =>
      `<tr${p === j.policy ? ' class="current"' : ''}><th scope="row">${e(p)}${p === j.policy ? ' (this run)' : ''}</th><td>${badgeVerdict(j.verdicts[p])}</td></tr>`,
  ).join('');
  return (
    `<h3>How the verdict was reached</h3><div class="judgement">` +
    `<p>Policy <b>${e(j.policy)}</b>: ${badgeVerdict(r.verdict)} (the check found: ${e(j.finding)})</p>` +
    `<p>Requirement <span class="badge level">${e(j.requirement.level)}</span> (${refLink(j.requirement.reference)}): ${e(j.requirement.text)}</p>` +
    (j.allowances.length
      ? `<p>Conditions under which the text allows otherwise:</p><ul class="allowances">${j.allowances.map((a) => allowance(a, inReport)).join('')}</ul>`
      : '') +
    `<p>Why: ${e(j.reason)}</p>` +
    `<table class="policies"><thead><tr><th>Policy</th><th>Verdict</th></tr></thead><tbody>${policies}</tbody></table>` +
    `</div>`
  );
}

function finding(r: CheckResult, index: number, mode: Report['mode'], inReport: ReadonlySet<string>): string {
  const open = r.verdict === 'fail' || r.verdict === 'error' ? ' open' : '';
  const parts: string[] = [];
  parts.push(
    `<details class="finding" id="${e(anchor(r.id))}" data-verdict="${e(r.verdict)}" data-severity="${e(r.severity)}" data-check="${e(r.id)}"${open}>`,
    `<summary>${badgeVerdict(r.verdict)} ${badgeSeverity(r.severity)}`,
    r.baselined ? ` <span class="badge baselined">baselined until ${e(r.baselined.expires)}</span>` : '',
    ` <span class="id">${e(r.id)}</span> <span class="title">${e(r.title)}</span>`,
    `<span class="summary">${e(r.summary)}</span></summary>`,
    `<div class="body">`,
    `<h3>What must hold</h3><p>${e(r.must)}</p>`,
  );
  if (hasReasoning(r)) parts.push(reasoning(r, inReport));
  if (r.errorKind) parts.push(`<h3>Could not run</h3><p>Cause: ${e(r.errorKind)}</p>`);
  if (r.fault) parts.push(`<h3>Provider fault switched on</h3><p><code>${e(r.fault)}</code></p>`);
  if (r.baselined) {
    const under = r.baselined.policy ? `, accepted under policy ${e(r.baselined.policy)}` : '';
    parts.push(
      `<h3>Accepted by baseline</h3><p>${e(r.baselined.justification)} (until ${e(r.baselined.expires)}${under})</p>`,
    );
  }
  parts.push(`<h3>Why it matters</h3><p>${e(r.rationale)}</p>`, `<h3>How to fix</h3><p>${e(r.remediation)}</p>`);
  if (r.references.length)
    parts.push(`<h3>References</h3><ul class="refs">${r.references.map(reference).join('')}</ul>`);
  if (r.observations.length) {
    parts.push(
      `<h3>Observations</h3><ul class="obs">`,
      ...r.observations.map(
        (o) => `<li>${e(o.text)}${o.data === undefined ? '' : `<pre>${e(dataText(o.data))}</pre>`}</li>`,
      ),
      `</ul>`,
    );
  }
  if (r.transcript.length) {
    const svg = renderSequenceSvg(r.transcript, { idPrefix: `seq${index}`, mode });
    if (svg) parts.push(`<h3>Sequence of the login</h3><div class="diagram">${svg}</div>`);
    parts.push(
      `<h3>HTTP transcript (redacted, ${r.transcript.length} exchange${r.transcript.length === 1 ? '' : 's'})</h3>`,
      ...r.transcript.map(exchange),
    );
  }
  parts.push(`<p class="timing">Started ${e(r.startedAt)}, took ${e(String(r.durationMs))} ms.</p></div></details>`);
  return parts.join('');
}

function sortFindings(results: readonly CheckResult[]): CheckResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        VERDICT_ORDER.indexOf(a.r.verdict) - VERDICT_ORDER.indexOf(b.r.verdict) ||
        severityRank(b.r.severity) - severityRank(a.r.severity) ||
        a.i - b.i,
    )
    .map(({ r }) => r);
}

function summaryBySeverity(report: Report): string {
  const rows = SEVERITY_ORDER.map((s) => {
    const of = report.results.filter((r) => r.severity === s);
    const fail = of.filter((r) => r.verdict === 'fail' && !r.baselined).length;
    const baselined = of.filter((r) => r.verdict === 'fail' && r.baselined).length;
    const warn = of.filter((r) => r.verdict === 'warn').length;
    const pass = of.filter((r) => r.verdict === 'pass').length;
    return `<tr><th scope="row">${badgeSeverity(s)}</th><td class="num">${fail}</td><td class="num">${baselined}</td><td class="num">${warn}</td><td class="num">${pass}</td><td class="num">${of.length}</td></tr>`;
  });
  return `<table class="by-severity"><thead><tr><th>Severity</th><th>Failed</th><th>Baselined</th><th>Warnings</th><th>Passed</th><th>Checks</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The `script-src` source for the one inline script (CSP Level 3 §2.3.1 hash-source). */
export function scriptHashSource(script: string = FILTER_SCRIPT): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/** The Content-Security-Policy of the report page. */
export const HTML_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src ${scriptHashSource()}; base-uri 'none'; form-action 'none'`;

/** Renders the report as one self-contained HTML file. */
export function renderHtml(report: Report): string {
  const s = report.summary;
  const title = `Login audit: ${report.target.name}`;
  const partial =
    report.status === 'complete'
      ? ''
      : `<p class="banner" role="status">The run ended early (${e(report.status)}): this report is partial and shows only the checks that finished.</p>`;
  const tiles = [
    ['Failed', s.fail, 'v-fail'],
    ['Errors', s.error, 'v-error'],
    ['Warnings', s.warn, 'v-warn'],
    ['Not applicable', s.notApplicable, 'v-not-applicable'],
    ['Passed', s.pass, 'v-pass'],
    ['Checks', s.total, ''],
  ]
    .map(
      ([label, n, cls]) => `<div class="tile ${cls}"><span class="n">${e(String(n))}</span>${e(String(label))}</div>`,
    )
    .join('');
  const verdictBoxes = VERDICT_ORDER.map(
    (v) => `<label><input type="checkbox" name="verdict" value="${v}" checked> ${e(VERDICT_LABEL[v])}</label>`,
  ).join('');
  const severityBoxes = SEVERITY_ORDER.map(
    (sev) => `<label><input type="checkbox" name="severity" value="${sev}" checked> ${e(sev)}</label>`,
  ).join('');
  const meta = [
    ['Mode', `${report.mode} audit`],
    ['Kind', report.target.kind],
    ['Profile', report.target.profile],
    ...(report.target.manifest ? [['Manifest', report.target.manifest]] : []),
    ['Seed', String(report.seed)],
    ['Policy', report.policy],
    ['Started', report.startedAt],
    ['Duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    ['Status', report.status],
    ...(report.shard ? [['Shard', `${report.shard.index}/${report.shard.count}`]] : []),
  ]
    .map(([k, v]) => `<li>${e(k)}: <b>${e(v)}</b></li>`)
    .join('');
  const inReport = new Set(report.results.map((r) => r.id));
  const findings = sortFindings(report.results)
    .map((r, i) => finding(r, i, report.mode, inReport))
    .join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(HTML_CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${e(title)}</h1>
<ul class="meta">${meta}</ul>
${partial}
</header>
<main>
<section aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<div class="tiles">${tiles}</div>
${summaryBySeverity(report)}
</section>
<section aria-labelledby="findings-h">
<h2 id="findings-h">Checks</h2>
<form id="filters" role="search">
<fieldset><legend>Verdict</legend>${verdictBoxes}</fieldset>
<fieldset><legend>Severity</legend>${severityBoxes}</fieldset>
<label>Text <input type="search" id="q" placeholder="id, title, summary, evidence…" autocomplete="off"></label>
<span>Showing <b id="shown-count">${e(String(report.results.length))}</b> of ${e(String(report.results.length))}</span>
<button type="button" id="expand-all">Expand all</button> <button type="button" id="collapse-all">Collapse all</button>
</form>
<noscript><p>Filtering needs JavaScript; all checks are shown.</p></noscript>
<p id="none-shown" hidden>No check matches the filter.</p>
${findings}
</section>
</main>
<footer>
<p>${e(report.tool.name)} ${e(report.tool.version)} · report schema ${e(report.schemaVersion)} · evidence is redacted: codes, tokens and secrets the provider issued are not shown.</p>
</footer>
<script type="application/json" id="report-data">${jsonForScript(report)}</script>
<script>${FILTER_SCRIPT}</script>
</body>
</html>
`;
}
