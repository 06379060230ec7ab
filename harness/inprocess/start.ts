/**
 * In-process mode for TypeScript/JavaScript integrations: the harness imports the integration into its
 * own Node process and answers the integration's calls to the real lexoffice hosts from the mock
 * provider with msw, so an integration hard-wired to `https://login.lexoffice.io` is audited unchanged.
 *
 * The manifest names the module (`inProcess.module`); its export (default `start`) is called as
 * `start({ port, env })` and resolves to `{ close() }` once the integration listens on `port`.
 */
import { format } from 'node:util';
import { setupServer } from 'msw/node';
import { createMswHandlers } from '../../mock-idp/transports/msw.js';
import type { MockIdp } from '../../mock-idp/types.js';
import { importModuleFile } from '../manifest/load.js';
import { freeLoopbackPort } from '../target/port.js';
import { TargetStartError, type RunningTarget } from '../target/start.js';
import type { ResolvedTarget } from '../types.js';

/** What an in-process integration module exports. */
export type InProcessStart = (args: {
  port: number;
  env: Record<string, string>;
}) => Promise<{ close(): Promise<void> }>;

/** Default time the integration's `start` may take. */
export const IN_PROCESS_START_TIMEOUT_MS = 15_000;

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * msw patches this process's globals, and with the provider's original URLs two providers would claim
 * the same hosts: one in-process target at a time.
 */
let active: string | undefined;

/**
 * Imports `target.inProcess.module`, routes the provider's hosts (and every origin its discovery
 * document names) into `idp` with msw (other requests, loopback included, go to the network), captures
 * what the integration writes through `console` as its logs, and starts it on the run's port.
 */
export async function startInProcessTarget(
  target: ResolvedTarget,
  idp: MockIdp,
  opts: { port?: number; timeoutMs?: number } = {},
): Promise<RunningTarget> {
  const spec = target.inProcess;
  if (!spec) throw new TargetStartError('spawn', `target ${target.name} has no inProcess module`, '');
  if (active) throw new TargetStartError('spawn', `in-process target ${active} is still running; one at a time`, '');

  let mod: Record<string, unknown>;
  try {
    mod = await importModuleFile(spec.module);
  } catch (err) {
    throw new TargetStartError('spawn', `cannot import ${spec.module}: ${(err as Error).message}`, '');
  }
  const start = mod[spec.export];
  if (typeof start !== 'function') {
    throw new TargetStartError('spawn', `${spec.module} has no function export ${JSON.stringify(spec.export)}`, '');
  }

  active = target.name;
  let logs = '';
  const originals = new Map<string, (...args: unknown[]) => void>();
  for (const m of CONSOLE_METHODS) {
    originals.set(m, console[m] as (...args: unknown[]) => void);
    console[m] = (...args: unknown[]): void => {
      logs += `${format(...args)}\n`;
    };
  }
  const restoreConsole = (): void => {
    for (const [m, fn] of originals) (console as unknown as Record<string, unknown>)[m] = fn;
  };

  const server = setupServer(...createMswHandlers(idp));
  server.listen({ onUnhandledRequest: 'bypass' });

  let exited = false;
  let resolveExit!: (v: { code: number | null; signal: string | null }) => void;
  const onExit = new Promise<{ code: number | null; signal: string | null }>((r) => (resolveExit = r));
  const teardown = (): void => {
    server.close();
    restoreConsole();
    active = undefined;
  };

  let handle: { close(): Promise<void> };
  try {
    const port = opts.port ?? spec.port ?? (await freeLoopbackPort());
    const timeoutMs = opts.timeoutMs ?? IN_PROCESS_START_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    handle = await Promise.race([
      (start as InProcessStart)({ port, env: { ...spec.env } }),
      new Promise<never>((_r, reject) => {
        timer = setTimeout(
          () => reject(new TargetStartError('timeout', `in-process target did not start within ${timeoutMs} ms`, logs)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (!handle || typeof handle.close !== 'function') {
      throw new TargetStartError('spawn', `${spec.export}() must resolve to { close(): Promise<void> }`, logs);
    }
  } catch (err) {
    teardown();
    if (err instanceof TargetStartError) throw err;
    throw new TargetStartError('exited', `in-process target failed to start: ${(err as Error).message}`, logs);
  }

  let stopping: Promise<void> | undefined;
  return {
    logs: () => logs,
    onExit,
    exited: () => exited,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await handle.close();
        } finally {
          teardown();
          exited = true;
          resolveExit({ code: 0, signal: null });
        }
      })()),
  };
}
