export { ManifestError, formatManifestPath } from './errors.js';
export { loadManifest, importModuleFile } from './load.js';
export { resolveTarget } from './resolve.js';
export { validateManifest, defaultClientId, type ManifestTemplate } from './validate.js';
export {
  PLACEHOLDER_NAMES,
  placeholdersIn,
  substitute,
  type PlaceholderName,
  type PlaceholderValues,
  type ProviderPlaceholderValues,
} from './placeholders.js';
export { manifestSchema, AUTH_METHODS, TARGET_KINDS, DEFAULT_TIMEOUT_MS, type ManifestInput } from './schema.js';
