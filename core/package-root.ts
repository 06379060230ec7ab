/**
 * Where the package's own files (package.json, the bundled examples and labs, the report schema) are.
 * The modules run from the sources (`core/…`) in a checkout and from the compiled `dist/core/…` in an
 * installed package, one folder deeper; the package root is the nearest folder upwards whose
 * package.json names this package, so no module has to know how deep it sits.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name in the package's package.json. */
export const PACKAGE_NAME = 'lexoffice-login-harness';

let cached: string | undefined;

/** The package's root folder (the one holding its package.json). */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && isThisPackage(file)) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isThisPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** A path inside the package, given relative to its root (`examples/reference-web/target.json`). */
export function packagePath(...relative: string[]): string {
  return path.join(packageRoot(), ...relative);
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
