import { DISCOVERY_FAULT_DOCS, FAULT_DOCS, PERMISSIVE_MODE_DOCS } from './fault-docs.js';

function table(heading: string, docs: Record<string, string>): string {
  const rows = Object.entries(docs).map(([name, doc]) => `| \`${name}\` | ${doc.replace(/\|/g, '\\|')} |`);
  return [`| ${heading} | what it does |`, '| --- | --- |', ...rows].join('\n');
}

/**
 * The Markdown tables of faults, discovery faults and permissive modes, generated from their docs so
 * the README cannot drift (a test compares them).
 */
export function faultTables(): { faults: string; discoveryFaults: string; permissiveModes: string } {
  return {
    faults: table('fault (per login tag)', FAULT_DOCS),
    discoveryFaults: table('discovery fault (per issuer)', DISCOVERY_FAULT_DOCS),
    permissiveModes: table('permissive mode (per issuer)', PERMISSIVE_MODE_DOCS),
  };
}
