/**
 * Loads a manifest file: JSON, or a module (`.ts`, `.mts`, `.mjs`, `.js`) whose default export is
 * `defineTarget({...})`. TypeScript is loaded through tsx so integrators need no build step.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importExternal } from '../../core/import-external.js';
import { ManifestError } from './errors.js';
import { validateManifest, type ManifestTemplate } from './validate.js';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.mjs', '.js', '.cjs']);
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Imports a module file; TypeScript through tsx's scoped loader (does not register tsx globally). */
export async function importModuleFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (TS_EXTENSIONS.has(path.extname(file))) {
    // Loaded only for a TypeScript manifest: the harness itself runs compiled, without a loader.
    const { tsImport } = (await importExternal('tsx/esm/api')) as typeof import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return importExternal(url);
}

/**
 * Reads, validates and applies defaults. Throws ManifestError (the CLI's exit code 2) for a missing or
 * unreadable file, invalid JSON, a module without a default export, and every invalid field.
 */
export async function loadManifest(file: string): Promise<ManifestTemplate> {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const ext = path.extname(abs).toLowerCase();
  let input: unknown;
  if (MODULE_EXTENSIONS.has(ext)) {
    let mod: Record<string, unknown>;
    try {
      mod = await importModuleFile(abs);
    } catch (err) {
      throw new ManifestError('', `cannot load manifest module ${abs}: ${(err as Error).message}`, { file: abs });
    }
    // tsx may wrap a CommonJS-style default in another default.
    input = mod.default;
    if (input && typeof input === 'object' && 'default' in input && !('name' in input)) {
      input = (input as { default: unknown }).default;
    }
    if (input === undefined) {
      throw new ManifestError('', `expected a default export defineTarget({...}) in ${abs}, got none`, {
        expected: 'a default export',
        file: abs,
      });
    }
  } else {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      throw new ManifestError(
        '',
        `cannot read manifest ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        {
          file: abs,
        },
      );
    }
    try {
      input = JSON.parse(text);
    } catch (err) {
      throw new ManifestError('', `expected a JSON document in ${abs}, got a syntax error: ${(err as Error).message}`, {
        expected: 'a JSON document',
        file: abs,
      });
    }
  }
  return validateManifest(input, dir, abs);
}
