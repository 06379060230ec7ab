/**
 * The second step of `npm run build`: bundles the compiled CLI (dist/harness/cli/bin.js, written by tsc)
 * into dist/cli/, the file the `login-harness` command runs.
 *
 * Why: unbundled, `login-harness list` loads some 240 modules (the CLI's own, zod's ~95, jose's ~46) and
 * spends most of its start-up resolving and reading them. The bundle holds the project's own code, zod,
 * jose and tough-cookie in a few chunks; every other dependency stays an import of the installed
 * package, and each dynamic import (the catalogs, Playwright, the commands other than the one run)
 * stays a chunk loaded only when it is needed. Paths to the package's files go through
 * core/package-root.ts, which finds the package root from wherever the code runs, so they hold in the
 * bundle too.
 *
 * zod's error messages come in some 60 languages, and its namespace export (`z.locales`) keeps them all
 * in a bundle although the CLI never switches from English (zod's default): 310 kB of source that every
 * start compiled. In the bundle, `z.locales` holds English only ({@link englishOnlyZodLocales}).
 *
 * The library entry points (dist/api/*) stay tsc's output: a program that imports the package gets its
 * modules, not the CLI's bundle.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Dependencies bundled into the CLI: small, pure JavaScript, and loaded by almost every command.
 * tough-cookie (the HTTP agent's cookie jar) imports tldts, whose package Node loads as CommonJS (it
 * reads `main`, not `module`): imported from the bundle's ES modules, Node parsed its source once more
 * to find its exports. Bundled, esbuild takes tldts's ES module build: an audit's start is ~35 ms shorter.
 */
export const BUNDLED = ['zod', 'jose', 'tough-cookie'];

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every package the project declares, except the bundled ones: they stay imports of the installed package. */
export async function externalPackages() {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  const declared = Object.keys({
    ...pkg.dependencies,
    ...pkg.devDependencies,
    ...pkg.peerDependencies,
    ...pkg.optionalDependencies,
  });
  // A sub-path import (`msw/node`, `tsx/esm/api`) is covered by its package's pattern.
  return declared.filter((name) => !BUNDLED.includes(name)).flatMap((name) => [name, `${name}/*`]);
}

/**
 * An esbuild plugin that gives zod's `locales/index.js` (the module behind `z.locales`) a stand-in that
 * exports English only. zod's schemas import `locales/en.js` themselves for their default messages, so
 * nothing else changes.
 */
export const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: path.resolve(args.resolveDir, args.path), namespace: 'zod-locales' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};\n`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/** Bundles dist/harness/cli/bin.js into dist/cli/ (cleared first, so no chunk of an older build stays). */
export async function bundleCli() {
  const outdir = `${root}dist/cli`;
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { bin: `${root}dist/harness/cli/bin.js` },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: await externalPackages(),
    sourcemap: true,
    plugins: [englishOnlyZodLocales],
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleCli();
}
