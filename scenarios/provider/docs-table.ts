/**
 * The check table of docs/provider-audit.md, generated from the catalog metadata so it cannot drift
 * (docs-table.test.ts compares it with the file).
 */
import { resolveRef } from '../refs.js';
import { missingFeature } from '../../harness/provider/audit.js';
import type { ProviderCheck } from './types.js';

/** Markers around the generated block in the document. */
export const TABLE_BEGIN = '<!-- provider-check-table:begin (generated from scenarios/provider/catalog.ts) -->';
export const TABLE_END = '<!-- provider-check-table:end -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Renders the Markdown table of the provider checks, with the begin and end markers. */
export function renderProviderCheckTable(checks: ProviderCheck[]): string {
  const rows = checks.map((c) => {
    const refs = c.refs.map((r) => `[${resolveRef(r).label}](${resolveRef(r).url})`).join(', ');
    const applies = [...(c.optIn ? [`opt-in \`--opt-in ${c.optIn}\``] : []), ...c.needs.map((n) => `\`${n}\``)].join(
      ', ',
    );
    const catches = (c.catches ?? []).map((m) => `\`${m}\``).join(', ');
    return `| \`${c.id}\` | ${cell(c.must)} | ${c.severity} | ${refs} | ${applies || 'always'} | ${catches || '-'} |`;
  });
  return [
    TABLE_BEGIN,
    '',
    '| id | what must hold | severity | references | needs | mock mode it catches |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'A check whose needs are not met ends in `not-applicable`, saying why:',
    '',
    ...(
      ['pkce', 'refresh', 'oidc', 'api', 'iss-param', 'public-client', 'confidential-client', 'second-client'] as const
    ).map((f) => `- \`${f}\`: not met when ${missingFeature(f)}.`),
    '',
    TABLE_END,
  ].join('\n');
}
