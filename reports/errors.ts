/**
 * Errors of the report commands. They are all the caller's to fix (a bad argument, a report file that
 * does not parse, reports that cannot be merged): each is a {@link UsageError} of the project's one
 * error family (core/errors.ts) with a typed code, so it ends a command with exit code 2.
 */
import { UsageError, type UsageErrorCode } from '../core/errors.js';

export { UsageError, type UsageErrorCode };

/** Narrows an unknown thrown value to a {@link UsageError}. */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}
