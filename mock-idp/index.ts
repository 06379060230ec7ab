export * from './types.js';
export { createMockIdp } from './create-mock-idp.js';
export { startMockIdp, isLoopbackHost } from './transports/node-server.js';
export { redactSecrets, redactionMark, type SecretValue } from './journal/redact-secrets.js';
export { parseDiscovery, DiscoveryError, type DiscoveryDocument } from './discovery/discovery-schema.js';
export { BUNDLED_PROFILES, type ProfileSettings } from './profiles/profile-settings.js';
export { DEFAULT_SETTINGS } from './settings.js';
export { escapeHtml } from './http/responses.js';
export { FAULT_DOCS, DISCOVERY_FAULT_DOCS, PERMISSIVE_MODE_DOCS } from './faults/fault-docs.js';
