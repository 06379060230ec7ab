export { startInProcessTarget, IN_PROCESS_START_TIMEOUT_MS, type InProcessStart } from './start.js';
