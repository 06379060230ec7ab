/**
 * Where the CLI writes and what it knows of its terminal. Injected so tests can capture output and
 * pretend to be a TTY or CI.
 */

/** Output streams and environment of one CLI invocation. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is an interactive terminal (progress is then one updating line). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** CI systems set `CI=true` (GitHub, GitLab, ...); output there is plain lines, never `\r` updates. */
export function isInteractive(io: CliIo): boolean {
  const ci = io.env.CI;
  return io.isTTY && !(ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false');
}
