/**
 * The check catalog's contract: the engine's (harness/check.ts), with references typed as the keys of
 * the one reference table (refs.ts), so a check cannot cite a reference that does not resolve.
 */
import type {
  CheckMeta as EngineCheckMeta,
  ClientCheck as EngineClientCheck,
  Requirement as EngineRequirement,
} from '../harness/check.js';
import type { PermissiveMode } from '../mock-idp/types.js';
import type { ErrorKind, Severity, Verdict } from '../reports/model.js';
import type { RefKey } from './refs.js';

export type { ClientCheckContext, Observation, Outcome } from '../harness/check.js';
export type { ErrorKind, PermissiveMode, Severity, Verdict };
export type { Allowance, TargetFact } from '../harness/check.js';

/** A requirement of the catalog: its sections are keys of the reference table. */
export type Requirement = EngineRequirement<RefKey>;

/** Shared facts of a check, as data, with its specification references. */
export interface CheckMeta extends EngineCheckMeta {
  refs: RefKey[];
  requirement: Requirement;
}

/** A client check of the catalog. */
export interface ClientCheck extends EngineClientCheck {
  refs: RefKey[];
  requirement: Requirement;
}
