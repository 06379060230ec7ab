/**
 * Starts an example server and stops it cleanly on SIGTERM/SIGINT, so the harness never leaves a
 * process behind.
 */
import type { Server } from 'node:http';

/** Listens on host:port and prints one ready line; exits 0 on SIGTERM or SIGINT. */
export async function listen(server: Server, name: string, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  process.stdout.write(`[${name}] listening on http://${host}:${port}\n`);
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs `main`, printing a one-line error (never a stack with secrets) and exiting 1 on failure. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`[${name}] failed to start: ${err instanceof Error ? err.message : 'unknown error'}\n`);
    process.exit(1);
  });
}
