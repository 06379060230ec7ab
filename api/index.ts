/**
 * The package's API (`import { ... } from 'lexoffice-login-harness'`): audits as functions, the mock
 * provider for a user's own tests, `defineTarget` for manifests, and the report types. Importing it
 * loads nothing heavy: the runner, the catalog, the mock provider, msw and the browser are loaded by
 * the function that needs them. Test integrations: `lexoffice-login-harness/vitest` (the
 * `toPassLoginAudit` matcher) and `lexoffice-login-harness/playwright` (the `mockIdp` fixture).
 *
 * @see docs/api.md
 * @packageDocumentation
 */
export {
  auditClient,
  auditProvider,
  gateReport,
  type AuditClientOptions,
  type AuditOptions,
  type AuditProviderOptions,
  type GateReportOptions,
  type GateVerdict,
} from './audit.js';
export { createMockIdp, type CreateMockIdpOptions, type MockProvider } from './mock-provider.js';
export * from '../harness/index.js';
export type { Judgement, PolicyName, Reference } from '../reports/model.js';
export type { ClientRegistration, MockIdp, MockIdpOptions, BundledProfile, PermissiveMode } from '../mock-idp/types.js';
export type { ClientFile } from '../harness/provider/config.js';
