/**
 * The runner's errors: a configuration the run cannot start with (the caller's mistake, exit 2 in the
 * CLI), and a check that could not finish, saying who broke (its verdict is `error`).
 */
import type { ErrorKind } from '../../scenarios/types.js';

/** The run cannot start as asked: an unknown check id or prefix in a selection or a severity override. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/**
 * An error a check (or a session it uses) throws to say who broke: `target` (the target crashed, hung
 * or answered garbage), `configuration` (the manifest cannot support the check), or `harness`.
 */
export class CheckRunError extends Error {
  constructor(
    message: string,
    readonly errorKind: ErrorKind,
  ) {
    super(message);
    this.name = 'CheckRunError';
  }
}
