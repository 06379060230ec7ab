/**
 * The composition root of the CLI: the one place of harness/ that imports scenarios/. It hands the
 * engine the check catalog (client checks from `scenarios/catalog.ts`, provider checks from
 * `scenarios/provider/catalog.ts`) with references resolved through `scenarios/refs.ts`; the runner,
 * the provider audit and the commands receive it from here and never import scenarios/ themselves.
 * The catalogs are loaded lazily, so commands that do not need them start without them.
 */
import type { Reference } from '../../reports/model.js';
import type { ClientCheck as CatalogClientCheck } from '../../scenarios/types.js';
import type { ProviderCheck as CatalogProviderCheck } from '../../scenarios/provider/types.js';
import { isRefKey, resolveRef, type RefKey } from '../../scenarios/refs.js';
import type { CheckCatalog, CheckMeta, ClientCheck } from '../check.js';
import type { ProviderCheck } from '../provider/types.js';

/** Resolves a catalog check's reference keys to links. */
function references(check: { refs: readonly RefKey[] }): Reference[] {
  return check.refs.map((key) => resolveRef(key));
}

/** Resolves one key of the reference table (requirements and allowances cite only table keys). */
function resolve(key: string): Reference {
  if (!isRefKey(key)) throw new Error(`unknown reference key ${JSON.stringify(key)}`);
  return resolveRef(key);
}

/** The engine's view of a list of catalog client checks (a subset, or checks changed for a run). */
export function clientCatalogOf(checks: readonly CatalogClientCheck[]): CheckCatalog<ClientCheck> {
  return { checks, references: (check) => references(check as CatalogClientCheck), resolve };
}

/** The engine's view of a list of catalog provider checks. */
export function providerCatalogOf(checks: readonly CatalogProviderCheck[]): CheckCatalog<ProviderCheck> {
  return { checks, references: (check) => references(check as CatalogProviderCheck), resolve };
}

/** Every client check of the catalog. */
export async function loadClientCatalog(): Promise<CheckCatalog<ClientCheck>> {
  const { clientChecks } = await import('../../scenarios/catalog.js');
  return clientCatalogOf(clientChecks);
}

/** Every provider check of the catalog. */
export async function loadProviderCatalog(): Promise<CheckCatalog<ProviderCheck>> {
  const { providerChecks } = await import('../../scenarios/provider/catalog.js');
  return providerCatalogOf(providerChecks);
}

/** One catalog entry, as data only. */
export interface CatalogEntry extends CheckMeta {
  target: 'client' | 'provider';
  /** Reference keys, as the catalog cites them. */
  refs: string[];
  /** The same references, resolved to links. */
  references: Reference[];
  kinds?: ClientCheck['kinds'];
  agent?: ClientCheck['agent'];
  /** A browser check that drives Chromium for a web target only when it must (ClientCheck.browserOnDemand). */
  browserOnDemand?: boolean;
  fault?: string;
  discoveryFaults?: string[];
}

/** Every check of both catalogs as data (`list`, `explain`), client checks first. */
export async function loadCatalog(): Promise<CatalogEntry[]> {
  const [client, provider] = await Promise.all([loadClientCatalog(), loadProviderCatalog()]);
  return [
    ...client.checks.map((c) => toEntry(c, client.references(c), 'client')),
    ...provider.checks.map((c) => toEntry(c, provider.references(c), 'provider')),
  ];
}

/** Check ids of both catalogs in catalog order (client checks, then provider checks). */
export async function catalogOrder(): Promise<string[]> {
  const [client, provider] = await Promise.all([loadClientCatalog(), loadProviderCatalog()]);
  return [...client.checks, ...provider.checks].map((c) => c.id);
}

function toEntry(
  c: CheckMeta & Partial<Pick<ClientCheck, 'kinds' | 'agent' | 'browserOnDemand' | 'faults' | 'discoveryFaults'>>,
  refs: Reference[],
  target: CatalogEntry['target'],
): CatalogEntry {
  const entry: CatalogEntry = {
    id: c.id,
    title: c.title,
    severity: c.severity,
    refs: refs.map((r) => r.key),
    references: refs,
    must: c.must,
    rationale: c.rationale,
    remediation: c.remediation,
    target,
  };
  if (c.kinds) entry.kinds = c.kinds;
  if (c.agent) entry.agent = c.agent;
  if (c.browserOnDemand) entry.browserOnDemand = true;
  if (c.faults?.length) entry.fault = c.faults.join(', ');
  if (c.discoveryFaults?.length) entry.discoveryFaults = c.discoveryFaults;
  return entry;
}
