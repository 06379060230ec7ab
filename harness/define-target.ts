/**
 * `defineTarget({...})`: the typed way to write a manifest as a `.ts`/`.mjs` module (TARGETS.md section 1).
 * It returns its argument unchanged; the harness validates the default export like a JSON manifest.
 */
import type { ManifestInput } from './manifest/schema.js';

export type { ManifestInput };

/** Identity function that gives editors the manifest's types. */
export function defineTarget(manifest: ManifestInput): ManifestInput {
  return manifest;
}
