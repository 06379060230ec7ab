/**
 * Errors of the report commands. They are all the caller's to fix (a bad argument, a report file that
 * does not parse, reports that cannot be merged), so each maps to exit code 2; the code is a typed union
 * so `switch (err.code)` narrows.
 */

/** Why a report operation refused its input. */
export type UsageErrorCode = 'usage' | 'invalid-report' | 'incompatible-reports' | 'invalid-baseline';

/** A problem with what the caller gave (arguments, files); commands exit with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Exit code of a command that stops on this error. */
  readonly exitCode = 2;

  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Narrows an unknown thrown value to a {@link UsageError}. */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}
