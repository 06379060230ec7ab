export {
  startTarget,
  TargetStartError,
  asRunningTarget,
  logsTail,
  type RunningTarget,
  type TargetStartErrorKind,
} from './start.js';
export { ManagedProcess, STOP_GRACE_MS, type ExitInfo, type SpawnGroupOptions } from './process.js';
export { freeLoopbackPort } from './port.js';
export { killAllTargetsSync, liveGroups, registerGroup, unregisterGroup } from './registry.js';
