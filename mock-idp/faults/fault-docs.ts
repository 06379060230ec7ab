import { DISCOVERY_FAULTS, FAULTS, PERMISSIVE_MODES } from './fault-catalog.js';
import type { DiscoveryFault, FaultName, PermissiveMode } from './fault-catalog.js';

function docsOf<K extends string>(declarations: Record<K, { doc: string }>): Record<K, string> {
  return Object.fromEntries(Object.entries<{ doc: string }>(declarations).map(([name, d]) => [name, d.doc])) as Record<
    K,
    string
  >;
}

/** What each per-login fault does, read from its declaration in `fault-catalog.ts`. */
export const FAULT_DOCS: Record<FaultName, string> = docsOf(FAULTS);

/** What each discovery fault changes in the metadata (issuer-wide), from `fault-catalog.ts`. */
export const DISCOVERY_FAULT_DOCS: Record<DiscoveryFault, string> = docsOf(DISCOVERY_FAULTS);

/** What each permissive mode loosens (issuer-wide), from `fault-catalog.ts`. Strict behaviour is the default. */
export const PERMISSIVE_MODE_DOCS: Record<PermissiveMode, string> = docsOf(PERMISSIVE_MODES);
