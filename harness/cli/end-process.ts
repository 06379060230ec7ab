/**
 * How the CLI's entry points (bin.ts, bundled-bin.ts) end once main has returned its exit code.
 *
 * On Linux the process ends at once: everything main started is stopped and everything it wrote is
 * written by then, and Node skips tearing down the heap of a long audit (about 20 ms of its wall time).
 * Writes to standard output and error are synchronous there (files, pipes and terminals), so nothing
 * is lost, and 'exit' listeners (the code cache, bundle-loader.ts) still run. Elsewhere pipes may be
 * asynchronous, so the process ends when its event loop does, with `code`.
 */
export function endProcess(code: number): void {
  if (process.platform === 'linux') process.exit(code);
  process.exitCode = code;
}
