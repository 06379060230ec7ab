/**
 * The check catalog as the CLI shows it (`list`, `explain`): client checks from
 * `scenarios/catalog.ts`, provider checks from `scenarios/provider/catalog.ts`.
 */
import type { CheckMeta, ClientCheck } from '../../scenarios/types.js';

/** One catalog entry, as data only. */
export interface CatalogEntry extends CheckMeta {
  target: 'client' | 'provider';
  kinds?: ClientCheck['kinds'];
  agent?: ClientCheck['agent'];
  fault?: string;
  discoveryFaults?: string[];
}

/** Loads the catalog lazily, so commands that do not need it start without it. */
export async function loadCatalog(): Promise<CatalogEntry[]> {
  const [{ clientChecks }, { providerChecks }] = await Promise.all([
    import('../../scenarios/catalog.js'),
    import('../../scenarios/provider/catalog.js'),
  ]);
  return [...clientChecks.map((c) => toEntry(c, 'client')), ...providerChecks.map((c) => toEntry(c, 'provider'))];
}

function toEntry(
  c: CheckMeta & Partial<Pick<ClientCheck, 'kinds' | 'agent' | 'faults' | 'discoveryFaults'>>,
  target: CatalogEntry['target'],
): CatalogEntry {
  const entry: CatalogEntry = {
    id: c.id,
    title: c.title,
    severity: c.severity,
    refs: c.refs,
    must: c.must,
    rationale: c.rationale,
    remediation: c.remediation,
    target,
  };
  if (c.kinds) entry.kinds = c.kinds;
  if (c.agent) entry.agent = c.agent;
  if (c.faults?.length) entry.fault = c.faults.join(', ');
  if (c.discoveryFaults?.length) entry.discoveryFaults = c.discoveryFaults;
  return entry;
}
