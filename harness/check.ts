/**
 * The check contract as the engine runs it. A check is data (id, title, severity, what must hold, why,
 * how to fix) plus one `run` function that drives logins through sessions and decides from what was
 * observed. The catalog (scenarios/) declares checks against this contract, adding its typed
 * references; the engine reads references only through the {@link CheckCatalog} it is given.
 */
import type { DiscoveryFault, Fault, FaultName, Journal, MockIdp } from '../mock-idp/types.js';
import type { ErrorKind, Reference, RequirementLevel, Severity, Verdict } from '../reports/model.js';
import type { AgentNeed, ResolvedTarget, Session, TargetKind } from './types.js';

/** How a check run ended. `error` carries who broke; `not-applicable` says why. */
export interface Outcome {
  /**
   * What the check found. `fail` means the requirement was observed violated; the run's policy turns
   * that finding into the reported verdict (see {@link Requirement}).
   */
  verdict: Verdict;
  /** One sentence a reviewer reads first: what was observed. */
  summary: string;
  errorKind?: ErrorKind;
  /**
   * The requirement this finding violates, when it is not the check's own `requirement` (a check that
   * tests a MUST and, beyond it, a SHOULD names the SHOULD here for a finding that breaks only that).
   */
  requirement?: Requirement;
}

/**
 * A fact about the audited client that the cited text makes a condition, established from its
 * manifest: `confidential-client` (it has a secret or an asymmetric key), `public-client` (it has
 * neither), `single-provider` (`providers` absent or 1), `several-providers` (`providers` >= 2).
 */
export type TargetFact = 'confidential-client' | 'public-client' | 'single-provider' | 'several-providers';

/**
 * A condition under which the cited text allows what a check found. It holds when every fact holds
 * and every control (another check of the same run: a compensating control) passed.
 */
export interface Allowance<R extends string = string> {
  /** Short name a report shows, e.g. `PKCE binds the login to the browser`. */
  name: string;
  /** The condition as the cited text states it (quoted). */
  text: string;
  /** The exact section that states the condition. */
  ref: R;
  facts?: readonly TargetFact[];
  /**
   * Check ids that must hold in the same run: each passed, or found only a SHOULD or recommendation
   * broken (its MUST held). The run includes them when the check is selected.
   */
  controls?: readonly string[];
}

/**
 * The requirement a check tests: the rule in the cited text's words, its level there, the exact
 * section, and the conditions under which the text allows otherwise. The run's policy turns a `fail`
 * finding into a verdict from these (docs/verdicts.md).
 */
export interface Requirement<R extends string = string> {
  /** The rule, quoted or closely paraphrased from the cited section. */
  text: string;
  level: RequirementLevel;
  ref: R;
  allowances?: readonly Allowance<R>[];
  /**
   * When the requirement applies at all: checks that must pass in the same run (e.g. RFC 7636 4.2
   * binds a client "capable of using S256", which `pkce.s256` establishes). A finding against a
   * requirement whose precondition failed is `not-applicable`.
   */
  precondition?: { text: string; controls: readonly string[] };
  /**
   * The FAPI 2.0 Security Profile's stricter rule, applied by the `fapi2` policy instead of this one
   * (its own level, section and allowances; none when absent).
   */
  fapi2?: Omit<Requirement<R>, 'fapi2'>;
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
  /** The requirement the check tests, with its level and the conditions the text allows otherwise. */
  requirement?: Requirement;
}

/** When a check with {@link ClientCheck.browserOnDemand} drives Chromium, as `explain` and the docs say it. */
export const BROWSER_ON_DEMAND_WHEN = 'a web target only when a page of its login can run script';

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
  /**
   * The check gets a fresh provider issuer and target process without any discovery change: what it
   * tests depends on issuer-wide state other checks change (the JWKS holding exactly one key).
   */
  ownIssuer?: boolean;
  /**
   * With `discoveryFaults`: a target that refuses to start under them has reacted, which the check
   * judges. The runner first sees the same target start with the unaltered metadata (the shared
   * environment), then runs the check with `ctx.startRefused` set and no sessions.
   */
  observesStartRefusal?: boolean;
  /**
   * With `agent: 'browser'`, for a web target: the check opens a Chromium session only when it cannot
   * judge without one (leak.storage: when the login's pages could run script), so the run does not
   * launch Chromium ahead for it; a session that needs Chromium launches it then.
   */
  browserOnDemand?: boolean;
  /**
   * The check may have to wait for the client's own clock: a lifetime the client tracks itself (an
   * access token's advertised `expires_in`, refresh.*) cannot be ended from outside, so the check
   * waits until it has passed. The runner starts such checks before the others, so that their waiting
   * overlaps the other checks' work instead of being the last seconds of the run.
   */
  waitsForClientClock?: boolean;
  run(ctx: ClientCheckContext): Promise<Outcome>;
}

/** What a client check gets from the runner. */
export interface ClientCheckContext {
  target: ResolvedTarget;
  /** The provider this check's target talks to (where its logins start). */
  idp: MockIdp;
  /**
   * The run's second provider, when the manifest declares `"providers": 2` (TARGETS.md §1.1): another
   * issuer with its own keys, the same client registered (mix-up checks). Its journal is untagged.
   */
  idp2?: MockIdp;
  /** This check's login tag (faults and journal views are scoped to it). */
  tag: string;
  /** Arms one fault for this check's logins; throws (the check ends in `error`) for a fault not in `faults`. */
  arm(fault: Fault): void;
  /**
   * A new user-agent session (the check's agent need decides the kind of agent). `agent: 'http'` asks
   * for a plain HTTP agent whatever the need, for a web target (other kinds get their usual agent).
   */
  session(name?: string, opts?: { agent?: 'http' }): Promise<Session>;
  /**
   * The shared login `key` of this check's environment and user agent (harness/runner/shared-login.ts):
   * `run` runs it under a login tag of its own, once for every check that asks for `key`, and each gets
   * what it returned (or what it threw, rethrown). Asking adds its observations and transcript to the
   * check's, and its journal entries to the check's {@link journal}. Every caller of one key passes the
   * same `run`: scenarios/lib/flow.ts holds them.
   */
  shared<T>(key: string, run: (ctx: ClientCheckContext) => Promise<T>): Promise<T>;
  /** Journal entries and artifacts of this check's logins only (and of the shared logins it asked for). */
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
  /**
   * Waits `ms` milliseconds (none when `ms` is not positive), counted as the check's waiting in the
   * report's timings; rejects at once when the check is stopped (`signal`).
   */
  wait(ms: number): Promise<void>;
  /**
   * Set when the check declares `observesStartRefusal` and its target refused to start under the
   * check's discovery faults (while it starts with the unaltered metadata): why it did not start.
   */
  startRefused?: string;
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
  /** Resolves one reference key (of a requirement or an allowance) to its link. */
  resolve?(key: string): Reference;
}
