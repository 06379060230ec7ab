/**
 * How an error that stops a command ends it: a message on stderr and the exit code of the error's
 * code (core/errors.ts). Every command of the CLI ends its errors here.
 */
import { EXIT, LoginHarnessError, UsageError, type ExitCode } from '../../core/errors.js';
import type { CliIo } from './io.js';

/**
 * The one place an error that stops a command becomes a message and an exit code: the error's code
 * decides (core/errors.ts maps each code to its exit code). A usage error points at the help of the
 * command it concerns; another error the caller must fix (exit 2) is its message alone; a module that
 * could not be loaded says which; anything else is a broken run, with its stack.
 */
export function reportError(err: unknown, io: Pick<CliIo, 'stderr'>): ExitCode {
  if (!(err instanceof LoginHarnessError)) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr(`login-harness: the run broke: ${message}\n`);
    return EXIT.broken;
  }
  if (err instanceof UsageError && err.code === 'usage') {
    const hint = err.command ? `login-harness ${err.command} --help` : 'login-harness --help';
    io.stderr(`login-harness: ${err.message}\nSee \`${hint}\`.\n`);
    return err.exitCode;
  }
  if (err.exitCode === EXIT.usage || err.code === 'missing-command') {
    io.stderr(`login-harness: ${err.message}\n`);
    return err.exitCode;
  }
  io.stderr(`login-harness: the run broke: ${err.stack ?? err.message}\n`);
  return err.exitCode;
}
