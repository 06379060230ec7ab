/**
 * How V8 compiles the CLI's own JavaScript, tuned for what a command is: a process of a few seconds
 * that runs the same few hundred functions hundreds of times (an audit's logins, checks and exchanges),
 * on a machine whose other cores run the targets.
 *
 * - `--no-lazy-feedback-allocation`: a function collects type feedback from its first call, not after
 *   several, so its property accesses and calls are specialised sooner and its hot code is optimized
 *   on better information.
 * - `--interrupt-budget=135168` (twice V8's default): a function runs twice as much of its bytecode
 *   before V8 considers optimizing it. In a run this short, many functions V8 would optimize
 *   are barely used afterwards, and the optimizing compiler's threads compete for the cores with the
 *   targets.
 *
 * Measured with `login-harness audit` of reference-web on a 2-core machine, interleaved with the same
 * build without them (three series of 16 pairs): 0.11-0.12 CPU-s less per audit (lower in 37 of 48
 * pairs) and 0.03-0.06 s less wall time (shorter in 33 of 48). Given on Node's command line instead,
 * where they also cover Node's own start-up code, the same flags saved 0.21-0.34 CPU-s; a shebang
 * cannot pass them portably, so the CLI sets them itself. A lower budget (a quarter of the default)
 * cost 0.27 s, a budget four times the default saved no more than twice.
 */
import { setV8Flag } from '../../core/v8-flags.js';
import { preloadFor, PROVIDER_COMMANDS } from './preload.js';

/** The flags, in the order they are set. */
export const CLI_JIT_FLAGS: readonly string[] = ['--no-lazy-feedback-allocation', '--interrupt-budget=135168'];

/**
 * Sets {@link CLI_JIT_FLAGS} for `command` (the CLI's first argument) when it runs a mock provider
 * (an audit, a lab, grading, a provider audit, `idp`); returns whether it set them. `list` and `explain`
 * end within a quarter of a second, before any of this pays: there, type feedback from the first call
 * cost about 4 ms. The flags are recorded, so the code caches made under them carry them in their
 * names. Call it before the CLI's code is compiled: V8 applies them to what it compiles afterwards.
 */
export function setCliJitFlags(command: string | undefined): boolean {
  if (command === undefined || !PROVIDER_COMMANDS.has(command)) return false;
  for (const flag of CLI_JIT_FLAGS) setV8Flag(flag);
  return true;
}

/**
 * Everything the CLI's entry points (bin.ts, bundled-bin.ts) set up in V8 for `command` (the CLI's
 * first argument), in the order it needs:
 *
 * 1. the Node modules the command is sure to need, while Node's code cache for them still applies
 *    (preload.ts): the flags below make V8 refuse that cache for modules loaded afterwards;
 * 2. `--liftoff-only`, for every command: WebAssembly is compiled by V8's baseline compiler only. The
 *    one WebAssembly module the CLI runs is fetch's HTTP parser (llhttp; the mock provider posts
 *    back-channel logout tokens with fetch), and V8's optimizing compiler spent about 0.2 CPU-s of an
 *    audit on it for a few requests;
 * 3. {@link setCliJitFlags}.
 *
 * The flags are recorded (core/v8-flags.ts): the code caches of the bundle and of playwright-core depend
 * on them. Call it before the CLI's code is compiled.
 */
export function prepareV8(command: string | undefined): void {
  preloadFor(command);
  setV8Flag('--liftoff-only');
  setCliJitFlags(command);
}
