/**
 * `import()` of a module outside the harness: a manifest module or an in-process target by its `file:`
 * URL, or tsx's loader API. The CLI's bundle is CommonJS compiled with a code cache
 * (harness/cli/bundle-loader.ts), where `import()` is not available (esbuild makes each one a
 * `require`, which takes no URL, and tsx's CommonJS build of that API does not load); its entry
 * (harness/cli/bundled-bin.ts), an ES module, lends its own.
 */
const HOOK = Symbol.for('lexoffice-login-harness.import');

type Importer = (url: string) => Promise<unknown>;

/** Imports `specifier`: a `file:` URL or an installed package. */
export async function importExternal(specifier: string): Promise<Record<string, unknown>> {
  const lent = (globalThis as { [HOOK]?: Importer })[HOOK];
  return (await (lent ? lent(specifier) : import(specifier))) as Record<string, unknown>;
}

/** Lends `importer` to {@link importExternal} (see above). */
export function lendImport(importer: Importer): void {
  (globalThis as { [HOOK]?: Importer })[HOOK] = importer;
}
