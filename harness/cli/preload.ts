/**
 * Node's own modules that a command is sure to need, loaded before the CLI changes a V8 flag.
 *
 * Node compiles its built-in modules from a code cache that V8 accepts only under the flags it was
 * made under. Once the CLI sets `--liftoff-only` (jit-flags.ts), every built-in module loaded afterwards is
 * compiled from its source. For most of them that costs little. fetch's implementation (undici, behind
 * the lazy `Response`, `Headers` and `fetch` globals) is the exception: the mock provider answers every
 * request with a web `Response`, so an audit loaded undici at the provider's first answer, the first
 * target's discovery request, which waited for it. Compiled from source that took about 95 ms of CPU
 * on the main thread; from the cache, here, about 40 ms.
 *
 * The same holds, on a smaller scale, for the modules an audit loads later on its way: starting a target
 * (`child_process`), listening (`net` loads `cluster`, which loads `dgram` and `dns`), the provider's
 * `https` client, `fs/promises` for the reports, `util.parseArgs` for the command line. Loaded here
 * rather than compiled from source after the flag change, an audit of reference-web used 0.03-0.08
 * CPU-s less (median differences of three series of 12 to 20 interleaved pairs).
 *
 * Only the commands that run a mock provider load them: `list` and `explain` never touch them.
 */
import { createRequire } from 'node:module';

/**
 * Built-in modules an audit loads after the CLI's flag change. Required, not imported: an `import`
 * would load them for every command, and `list` needs none of them.
 */
const AUDIT_BUILTINS = ['node:child_process', 'node:cluster', 'node:dns', 'node:https', 'node:fs/promises'] as const;

/** Commands that start a mock provider (an audit, a lab, grading, a provider audit, `idp`); jit-flags.ts tunes V8 for them too. */
export const PROVIDER_COMMANDS: ReadonlySet<string> = new Set(['audit', 'lab', 'grade', 'audit-provider', 'idp']);

/**
 * Loads, for `command` (the CLI's first argument), the built-in modules it will need, while Node's
 * code cache still applies; returns whether it loaded anything. Call it before any `setV8Flag`.
 */
export function preloadFor(command: string | undefined): boolean {
  if (command === undefined || !PROVIDER_COMMANDS.has(command)) return false;
  // Touching the global loads undici, which defines Response, Headers, Request and fetch at once.
  void globalThis.Response;
  const require = createRequire(import.meta.url);
  for (const id of AUDIT_BUILTINS) require(id);
  // A lazy member: its getter loads the argument parser's modules.
  void (require('node:util') as typeof import('node:util')).parseArgs;
  return true;
}
