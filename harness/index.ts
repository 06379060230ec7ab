/**
 * The package entry for manifests written as modules: `defineTarget` and the types an integrator or a
 * check author works with. Only re-exports, and nothing heavy: a manifest that imports this file does
 * not load the runner, the browser or the mock provider.
 */
export { defineTarget, type ManifestInput } from './define-target.js';
export type {
  AgentNeed,
  AuthorizationRequest,
  AuthorizationResponse,
  CallbackResult,
  ResolvedTarget,
  Session,
  SessionRequest,
  SessionResponse,
  StorageDump,
  TargetKind,
  TranscriptEntry,
} from './types.js';
export type { ClientAuditOptions } from './runner/client-audit.js';
export type { ExecContext, ExecItem, ExecuteOptions, ExecutionOutcome, ExecutionStatus } from './runner/execute.js';
export type { ComparableReport } from './runner/determinism.js';
export type { CheckCatalog, CheckMeta, ClientCheck, ClientCheckContext, Outcome } from './check.js';
export type { ErrorKind, Severity, Verdict } from '../reports/model.js';
export type { CheckResult, Report, RunnerEvent } from '../reports/model.js';
