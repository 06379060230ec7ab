/**
 * The runner's errors: a configuration the run cannot start with (the caller's mistake, exit 2 in the
 * CLI), and a check that could not finish, saying who broke (its verdict is `error`).
 */
import { LoginHarnessError } from '../../core/errors.js';
import type { ErrorKind } from '../../reports/model.js';

/** The run cannot start as asked: an unknown check id or prefix in a selection or a severity override. */
export class ConfigurationError extends LoginHarnessError<'configuration'> {
  constructor(message: string) {
    super('configuration', message);
  }
}

/**
 * Why a check was stopped from outside: `check-timeout` (its own timeout), `run-deadline` (the whole
 * run's), `run-interrupted` (Ctrl-C or the caller's signal), `check-ended` (it had already ended);
 * `check-run` for an error a check or its session throws on purpose.
 */
export type CheckRunCode = 'check-run' | 'check-timeout' | 'run-deadline' | 'run-interrupted' | 'check-ended';

/**
 * An error a check (or a session it uses) throws to say who broke: `target` (the target crashed, hung
 * or answered garbage), `configuration` (the manifest cannot support the check), or `harness`. The
 * runner also aborts a check with one, its code saying why it was stopped.
 */
export class CheckRunError extends LoginHarnessError<CheckRunCode> {
  constructor(
    message: string,
    readonly errorKind: ErrorKind,
    code: CheckRunCode = 'check-run',
  ) {
    super(code, message);
  }
}
