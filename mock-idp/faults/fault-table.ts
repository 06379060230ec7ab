import { z } from 'zod';
import { DISCOVERY_FAULTS, FAULTS, PERMISSIVE_MODES, type FaultDeclaration } from './fault-catalog.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** `error`, `errorDescription?`, `variant: a \| b`: a fault's parameters as its declaration's zod shape gives them. */
function parameters(declaration: FaultDeclaration): string {
  return Object.entries(declaration.params ?? {})
    .map(([key, core]) => {
      // The shape holds zod's core types; every schema built with `z.` is also a classic ZodType.
      const schema = core as z.ZodType;
      const optional = schema.safeParse(undefined).success;
      const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
      const type =
        inner instanceof z.ZodEnum ? inner.options.map((o) => `\`${String(o)}\``).join(' \\| ') : inner.def.type;
      return `\`${key}${optional ? '?' : ''}\` (${type})`;
    })
    .join(', ');
}

function table(heading: string, rows: Array<[name: string, ...cells: string[]]>, columns: string[]): string {
  return [
    `| ${[heading, ...columns].join(' | ')} |`,
    `|${' --- |'.repeat(columns.length + 1)}`,
    ...rows.map(([name, ...cells]) => `| \`${name}\` | ${cells.join(' | ')} |`),
  ].join('\n');
}

/**
 * The Markdown tables of faults, discovery faults and permissive modes, generated from their
 * declarations so the README cannot drift (a test compares them).
 */
export function faultTables(): { faults: string; discoveryFaults: string; permissiveModes: string } {
  return {
    faults: table(
      'fault (per login tag)',
      Object.entries<FaultDeclaration>(FAULTS).map(([name, d]) => [name, parameters(d) || '-', d.at, cell(d.doc)]),
      ['parameters', 'applied at', 'what it does'],
    ),
    discoveryFaults: table(
      'discovery fault (per issuer)',
      Object.entries(DISCOVERY_FAULTS).map(([name, d]) => [name, cell(d.doc)]),
      ['what it does'],
    ),
    permissiveModes: table(
      'permissive mode (per issuer)',
      Object.entries(PERMISSIVE_MODES).map(([name, d]) => [name, cell(d.doc)]),
      ['what it does'],
    ),
  };
}
