/**
 * Outcomes and the ways a check ends without a finding. TARGETS.md §5: only `pass` means the behaviour
 * was observed to be right, so a check that cannot observe ends in `not-applicable` (with why) or
 * `error` (with who broke), never `pass`. Helpers deep inside a check throw {@link Inconclusive};
 * `defineClientCheck` (scenarios/define.ts) turns it into the outcome, so no code path can fall through to `pass`.
 */
import { LoginHarnessError } from '../../core/errors.js';
import type { ErrorKind, Outcome } from '../types.js';

/** The behaviour was observed to be right. */
export function pass(summary: string): Outcome {
  return { verdict: 'pass', summary };
}

/** The behaviour was observed to be wrong. */
export function fail(summary: string): Outcome {
  return { verdict: 'fail', summary };
}

/** Something was observed that is weaker than required but not a failure of the rule itself. */
export function warn(summary: string): Outcome {
  return { verdict: 'warn', summary };
}

/** The check does not apply to this target, or the target does not offer what it needs. */
export function notApplicable(summary: string): Outcome {
  return { verdict: 'not-applicable', summary };
}

/** The check could not run: `target` (it broke), `configuration` (the manifest), or `harness`. */
export function error(summary: string, errorKind: ErrorKind): Outcome {
  return { verdict: 'error', summary, errorKind };
}

/**
 * Thrown where a check finds it cannot observe what it needs. Carries the outcome to end with; the
 * `errorKind` property also lets the runner classify it if it escapes a check unwrapped.
 */
export class Inconclusive extends LoginHarnessError<'inconclusive'> {
  readonly outcome: Outcome;
  readonly errorKind: ErrorKind | undefined;
  constructor(outcome: Outcome) {
    super('inconclusive', outcome.summary);
    this.outcome = outcome;
    this.errorKind = outcome.errorKind;
  }
}

/** Ends the running check as not applicable. */
export function stopNotApplicable(summary: string): never {
  throw new Inconclusive(notApplicable(summary));
}

/** Ends the running check in `error`. */
export function stopError(summary: string, errorKind: ErrorKind): never {
  throw new Inconclusive(error(summary, errorKind));
}
