import type { FaultName, PermissiveMode } from '../types.js';

/** The permissive modes of PAR and DPoP; only a provider that advertises both can show them. */
export const PAR_DPOP_MODES: readonly PermissiveMode[] = [
  'par-not-required',
  'request-uri-reusable',
  'request-uri-not-bound',
  'dpop-binding-not-checked',
  'dpop-replay-not-detected',
  'dpop-refresh-not-bound',
];

/** The per-login faults of DPoP; only a provider that advertises DPoP can show them. */
export const PAR_DPOP_FAULTS: readonly FaultName[] = ['dpop.use-nonce'];
