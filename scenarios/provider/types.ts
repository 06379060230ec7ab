/**
 * The provider check contract of the catalog: the engine's (harness/provider/types.ts), with
 * references typed as the keys of the one reference table (../refs.ts).
 */
import type { ProviderCheck as EngineProviderCheck } from '../../harness/provider/types.js';
import type { RefKey } from '../refs.js';
import type { Requirement } from '../types.js';

export type {
  AuditClients,
  ProviderCheckContext,
  ProviderFeature,
  ProviderOptIn,
  SlowSettings,
} from '../../harness/provider/types.js';

/** One provider check of the catalog. */
export interface ProviderCheck extends EngineProviderCheck {
  refs: RefKey[];
  requirement: Requirement;
}
