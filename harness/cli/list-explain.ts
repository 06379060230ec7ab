/**
 * `login-harness list` and `login-harness explain ID`: the catalog for people (a table, or the full
 * text of one check with its links) and for tools (`--json`).
 */
import { suggest } from '../runner/select.js';
import { parseCommandArgs, UsageError } from '../../core/args.js';
import { loadCatalog, type CatalogEntry } from './catalog.js';
import type { CliIo } from './io.js';
import { BROWSER_ON_DEMAND_WHEN } from '../check.js';

export const LIST_HELP = `Usage: login-harness list [--json] [--client | --provider]

Lists the check catalog: id, default severity, the target kinds a client check applies to, and its
references.

Options:
  --json        print the catalog as JSON (ids, titles, severities, kinds, faults, references with links)
  --client      only client checks
  --provider    only provider checks
  -h, --help    show this help
`;

export const EXPLAIN_HELP = `Usage: login-harness explain ID [--json]

Explains one check: what must hold, why it matters, what the harness does to test it (the provider
fault it switches on), how to fix a failure, and the references with links.

Options:
  --json        print the explanation as JSON
  -h, --help    show this help
`;

/** `list`: exit 0. */
export async function runList(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(
    'list',
    argv,
    { json: { type: 'boolean' }, client: { type: 'boolean' }, provider: { type: 'boolean' } },
    0,
  );
  if (args.help) {
    io.stdout(LIST_HELP);
    return 0;
  }
  let entries = await loadCatalog();
  if (args.values.client && !args.values.provider) entries = entries.filter((e) => e.target === 'client');
  if (args.values.provider && !args.values.client) entries = entries.filter((e) => e.target === 'provider');
  if (args.values.json) {
    io.stdout(`${JSON.stringify(entries.map(toJson), null, 2)}\n`);
    return 0;
  }
  io.stdout(formatTable(entries));
  return 0;
}

/** `explain ID`: exit 0, or a usage error for an unknown id. */
export async function runExplain(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('explain', argv, { json: { type: 'boolean' } }, 1);
  if (args.help) {
    io.stdout(EXPLAIN_HELP);
    return 0;
  }
  const id = args.positionals[0];
  if (!id) throw new UsageError('explain needs a check id (see `login-harness list`)', { command: 'explain' });
  const entries = await loadCatalog();
  const entry = entries.find((e) => e.id === id);
  if (!entry) {
    const near = suggest(entries, id);
    throw new UsageError(
      `unknown check id ${JSON.stringify(id)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; see \`login-harness list\``,
      { command: 'explain' },
    );
  }
  if (args.values.json) {
    io.stdout(`${JSON.stringify(toJson(entry), null, 2)}\n`);
    return 0;
  }
  io.stdout(formatExplanation(entry));
  return 0;
}

function toJson(e: CatalogEntry): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the keys are in `references` already
  const { refs, references, ...rest } = e;
  return { ...rest, references };
}

/** The `list` table. */
export function formatTable(entries: CatalogEntry[]): string {
  const rows = entries.map((e) => [
    e.id,
    e.severity,
    e.target === 'provider' ? 'provider' : (e.kinds ?? []).join(','),
    e.refs.join(' '),
  ]);
  const header = ['ID', 'SEVERITY', 'APPLIES TO', 'REFERENCES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line), '', `${entries.length} checks. Details: login-harness explain ID`, ''].join(
    '\n',
  );
}

/** How a client check drives Chromium, for `explain`. */
function driven(e: CatalogEntry): string {
  if (e.agent !== 'browser') return '';
  return e.browserOnDemand ? ` (driven in Chromium; ${BROWSER_ON_DEMAND_WHEN})` : ' (driven in Chromium)';
}

/** The `explain` text. */
export function formatExplanation(e: CatalogEntry): string {
  const out: string[] = [];
  out.push(`${e.id} — ${e.title}`);
  out.push('');
  out.push(`Severity:    ${e.severity}`);
  out.push(
    e.target === 'provider'
      ? 'Applies to:  providers (login-harness audit-provider)'
      : `Applies to:  ${(e.kinds ?? []).join(', ')} targets${driven(e)}`,
  );
  out.push('');
  out.push('What must hold');
  out.push(indent(e.must));
  out.push('');
  out.push('Why it matters');
  out.push(indent(e.rationale));
  out.push('');
  out.push('What is tested');
  const tested: string[] = [];
  if (e.fault) tested.push(`The mock provider switches on the fault \`${e.fault}\` for this check's logins only.`);
  if (e.discoveryFaults?.length) {
    tested.push(
      `The check gets its own provider issuer with changed discovery metadata (${e.discoveryFaults.join(', ')}) ` +
        'and its own target process.',
    );
  }
  if (tested.length === 0) tested.push('Observed in normal logins; no provider fault is switched on.');
  out.push(indent(tested.join(' ')));
  out.push('');
  out.push('How to fix it');
  out.push(indent(e.remediation));
  out.push('');
  out.push('References');
  for (const r of e.references) {
    out.push(`  ${r.label}: ${r.url}`);
  }
  out.push('');
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
