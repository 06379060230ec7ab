export {
  HttpAgent,
  HttpAgentError,
  BROWSER_USER_AGENT,
  MAX_REDIRECTS,
  type HttpAgentOptions,
  type HttpAgentErrorCode,
  type HttpRequest,
  type HttpResponse,
} from './http.js';
export {
  BrowserPool,
  BrowserAgent,
  NETWORK_QUIET_MS,
  type BrowserSessionOptions,
  type GotoResult,
  type ScriptEvent,
} from './browser.js';
export {
  DriverProcess,
  DriverError,
  driverAnswerSchema,
  DRIVER_TIMEOUT_MS,
  type DriverAnswer,
  type DriverErrorKind,
  type DriverOp,
} from './driver.js';
export {
  computeReferrer,
  parseReferrerPolicy,
  metaReferrerPolicy,
  DEFAULT_REFERRER_POLICY,
  REFERRER_POLICIES,
  type ReferrerPolicy,
} from './referrer.js';
export { siteOf, type SiteMode } from './site.js';
