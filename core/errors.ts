/**
 * The one error family of the project. Every error the harness, the mock provider, the report tools or
 * a check raises on purpose derives from {@link LoginHarnessError} and carries a typed `code` (in the
 * style of jose's `JOSEError`), so callers `switch (err.code)` instead of comparing class names or
 * message text. Each code maps to the exit code a command ends with when the error stops it
 * ({@link exitCodeOf}); the CLI maps errors to exit codes in that one place.
 *
 * This file sits below every other folder (it imports nothing of the project), so the mock provider
 * and the report tools can derive from it without depending on the harness.
 */

/** Exit codes of every command. */
export const EXIT = {
  /** No failure at or above the gate's threshold. */
  ok: 0,
  /** Failures at or above the threshold remain. */
  findings: 1,
  /** The caller's mistake: arguments, manifest, client file, configuration. The message names it. */
  usage: 2,
  /** The run itself broke (interrupted, target crashed, deadline passed, a bug). */
  broken: 3,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Every error code and the exit code a command ends with when that error stops it. A code ending a
 * command with 2 is the caller's to fix; 3 means the run broke.
 */
export const ERROR_CODES = {
  /** A mistake in how a command was called (unknown flag, bad value, missing argument). */
  usage: EXIT.usage,
  /** A report file that does not parse or does not fit the report model. */
  'invalid-report': EXIT.usage,
  /** Reports that cannot be merged (different audits, shards given twice). */
  'incompatible-reports': EXIT.usage,
  /** A baseline file that does not parse or does not fit its schema. */
  'invalid-baseline': EXIT.usage,
  /** The run cannot start as asked (an unknown check id in a selection or a severity override). */
  configuration: EXIT.usage,
  /** An invalid target manifest (the message starts with the JSON path). */
  manifest: EXIT.usage,
  /** An invalid provider audit set-up: discovery document, client file, login method. */
  'provider-config': EXIT.usage,
  /** A discovery document given to the mock provider that does not parse. */
  discovery: EXIT.usage,
  /** The target process did not come up. */
  'target-start': EXIT.broken,
  /** The target's driver process broke the driver protocol, exited or hung. */
  driver: EXIT.broken,
  /** The HTTP user agent could not reach a URL. */
  network: EXIT.broken,
  /** The HTTP user agent followed too many redirects. */
  'too-many-redirects': EXIT.broken,
  /** A kept-alive connection the server had closed (the agent retries once). */
  'stale-connection': EXIT.broken,
  /** The correct part of a provider flow failed, so a check could not observe its deviation. */
  flow: EXIT.broken,
  /** A check ended without observing what it needs (carries the outcome to end with). */
  inconclusive: EXIT.broken,
  /** A check could not finish; the error says who broke (target, configuration, harness). */
  'check-run': EXIT.broken,
  /** A check did not finish within its timeout. */
  'check-timeout': EXIT.broken,
  /** The whole-run deadline passed. */
  'run-deadline': EXIT.broken,
  /** The run was interrupted (Ctrl-C, or a caller's abort signal). */
  'run-interrupted': EXIT.broken,
  /** A check had already ended when something it started was stopped. */
  'check-ended': EXIT.broken,
  /** A command's module could not be loaded. */
  'missing-command': EXIT.broken,
  /**
   * The mock's authorization endpoint refuses a request with an error page (the redirect URI is not
   * trusted). The endpoint answers it to the client; it stops a command only through a bug.
   */
  'authorization-page-refusal': EXIT.broken,
  /**
   * The mock's authorization endpoint refuses a request by redirecting back with `error` (the redirect
   * URI is trusted). Answered to the client like the page refusal.
   */
  'authorization-redirect-refusal': EXIT.broken,
  /** A fuzzed sequence of operations broke a rule of the mock provider's model (`mock-idp/fuzz/`). */
  'fuzz-invariant': EXIT.broken,
} as const satisfies Record<string, ExitCode>;

/** Every error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The base of every error raised on purpose; `code` says which, `exitCode` how a command ends on it. */
export class LoginHarnessError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /** Exit code of a command this error stops. */
  get exitCode(): ExitCode {
    return ERROR_CODES[this.code];
  }
}

/** Whether `err` is an error of the family (optionally with one of `codes`). */
export function isLoginHarnessError<C extends ErrorCode>(err: unknown, ...codes: C[]): err is LoginHarnessError<C> {
  return err instanceof LoginHarnessError && (codes.length === 0 || (codes as ErrorCode[]).includes(err.code));
}

/** The exit code a command ends with when `err` stops it: the code's, or 3 for anything unexpected. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof LoginHarnessError ? err.exitCode : EXIT.broken;
}

/** Codes of {@link UsageError}: a bad argument, or a file the caller gave that cannot be used. */
export type UsageErrorCode = 'usage' | 'invalid-report' | 'incompatible-reports' | 'invalid-baseline';

/**
 * A mistake in what the caller gave a command (arguments, report or baseline files); exit 2. The
 * message names the problem; `command`, when set, is the command whose `--help` explains the fix.
 */
export class UsageError extends LoginHarnessError<UsageErrorCode> {
  readonly command?: string;

  constructor(message: string, opts: { code?: UsageErrorCode; command?: string } = {}) {
    super(opts.code ?? 'usage', message);
    if (opts.command !== undefined) this.command = opts.command;
  }
}
