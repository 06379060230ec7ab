/**
 * A real Chromium as the person's user agent (Playwright): one browser per run, and per session a
 * context as isolated as a fresh one. One concern per file:
 *
 * - browser-pool.ts: the browser and its contexts, reused across sessions after a reset;
 * - browser-agent.ts: one session: the transcript, script events, navigation, settling, storage;
 * - stop-at.ts: stopping a navigation (or a redirect) before it reaches the network;
 * - page-scripts.ts: what runs inside the pages, and how it gets there.
 */
export { BrowserPool } from './browser-pool.js';
export {
  BrowserAgent,
  NETWORK_QUIET_MS,
  type BrowserSessionOptions,
  type GotoResult,
  type ScriptEvent,
} from './browser-agent.js';
