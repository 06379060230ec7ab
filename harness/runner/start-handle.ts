/**
 * Starts a target the way its manifest says, as one {@link TargetHandle}: a server process
 * (`start`), an in-process integration (`inProcess`), a driver (kind `driver`), or nothing when the
 * target already runs on its own.
 */
import type { MockIdp } from '../../mock-idp/types.js';
import type { DriverProcess } from '../agents/driver.js';
import { startTarget } from '../target/index.js';
import type { TargetPriority } from '../target/priority.js';
import type { ResolvedTarget } from '../types.js';
import type { TargetHandle } from './target-instance.js';

/** A started target; for kind `driver`, the driver process sessions talk to. */
export type StartedTarget = TargetHandle & { driver?: DriverProcess };

/**
 * Starts `target` against `idp`; rejects when it does not come up (the start is stopped then). A
 * server process gets the CPU share `priority` sets (drivers and in-process targets are not affected).
 */
export async function startTargetHandle(
  target: ResolvedTarget,
  idp: MockIdp,
  signal: AbortSignal,
  priority?: TargetPriority,
): Promise<StartedTarget> {
  if (target.kind === 'driver') {
    // Loaded on demand, like the in-process transport below: a web run needs neither.
    const { DriverProcess } = await import('../agents/driver.js');
    signal.throwIfAborted();
    const driver = await DriverProcess.start(target);
    return {
      driver,
      logs: () => driver.stderr(),
      // Its exit ends every running check at once (TargetInstance.watch), also a check that is busy
      // with something other than a driver call (approving at the provider, say), and `exited()`
      // makes the next check start a fresh driver.
      onExit: driver.onExit,
      exited: () => driver.exited(),
      stop: () => driver.stop(),
    };
  }
  if (target.inProcess) {
    const { startInProcessTarget } = await import('../inprocess/index.js');
    return startInProcessTarget(target, idp);
  }
  return startTarget(target, { signal, ...(priority ? { priority } : {}) });
}
