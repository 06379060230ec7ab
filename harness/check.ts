/**
 * The check contract as the engine runs it. A check is data (id, title, severity, what must hold, why,
 * how to fix) plus one `run` function that drives logins through sessions and decides from what was
 * observed. The catalog (scenarios/) declares checks against this contract, adding its typed
 * references; the engine reads references only through the {@link CheckCatalog} it is given.
 */
import type { DiscoveryFault, Fault, FaultName, Journal, MockIdp } from '../mock-idp/types.js';
import type { ErrorKind, Reference, Severity, Verdict } from '../reports/model.js';
import type { AgentNeed, ResolvedTarget, Session, TargetKind } from './types.js';

/** How a check run ended. `error` carries who broke; `not-applicable` says why. */
export interface Outcome {
  verdict: Verdict;
  /** One sentence a reviewer reads first: what was observed. */
  summary: string;
  errorKind?: ErrorKind;
}

/** One thing a check observed, kept (redacted) as evidence. */
export interface Observation {
  /** What was observed, in a sentence. */
  text: string;
  /** Optional structured detail (redacted before it is written). */
  data?: unknown;
}

/** Shared facts of a check, as data. */
export interface CheckMeta {
  /** Stable id, e.g. `state.mismatch`. Never changes meaning once shipped. */
  id: string;
  title: string;
  severity: Severity;
  /** What must hold, one sentence (the CHECKS.md column). */
  must: string;
  /** Why it matters, for a developer or student who has never heard of the attack. */
  rationale: string;
  /** How to fix it. */
  remediation: string;
}

/** A check of a client (a target described by a manifest). */
export interface ClientCheck extends CheckMeta {
  target: 'client';
  kinds: TargetKind[];
  agent: AgentNeed;
  /**
   * The provider faults this check arms for its logins, by name (parameterised variants share one
   * name). The runner's `arm()` refuses any other fault; absent means none.
   */
  faults?: readonly FaultName[];
  /** Issuer-wide discovery changes: the check gets a fresh provider issuer and a fresh target process. */
  discoveryFaults?: DiscoveryFault[];
  run(ctx: ClientCheckContext): Promise<Outcome>;
}

/** What a client check gets from the runner. */
export interface ClientCheckContext {
  target: ResolvedTarget;
  /** The provider this check's target talks to. */
  idp: MockIdp;
  /** This check's login tag (faults and journal views are scoped to it). */
  tag: string;
  /** Arms one fault for this check's logins; throws (the check ends in `error`) for a fault not in `faults`. */
  arm(fault: Fault): void;
  /** A new user-agent session (the check's agent need decides the kind of agent). */
  session(name?: string): Promise<Session>;
  /** Journal entries and artifacts of this check's logins only. */
  journal: Journal;
  /** The provider journal unfiltered (discovery and JWKS fetches carry no tag). */
  fullJournal: Journal;
  /** stdout+stderr of the target process so far (web/spa servers), or the driver's stderr. */
  targetLogs(): string;
  /** Records an observation; a check that records none ends in `error`. */
  observe(text: string, data?: unknown): void;
  /** Deterministic randomness for this check (seeded). */
  random(): number;
  signal: AbortSignal;
}

/**
 * The checks a run chooses from, injected into the runner by the CLI's composition root
 * (harness/cli/catalog.ts), the one place of harness/ that knows scenarios/.
 */
export interface CheckCatalog<C extends CheckMeta> {
  /** Every check, in catalog order. */
  checks: readonly C[];
  /** The check's specification references, resolved to links (for results and `explain`). */
  references(check: C): Reference[];
}
