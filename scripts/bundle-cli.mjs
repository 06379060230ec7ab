/**
 * The second step of `npm run build`: bundles the compiled CLI (tsc's output in dist/harness/cli/) into
 * dist/cli/, the files the `login-harness` command runs.
 *
 * Why: unbundled, `login-harness list` loads some 240 modules (the CLI's own, zod's ~95, jose's ~46) and
 * spends most of its start-up resolving and reading them. The bundle (`main.cjs`) holds the project's
 * own code, zod, jose and tough-cookie in one CommonJS file; every other dependency stays a `require` of
 * the installed package. A module the CLI imported dynamically (the catalogs, the commands other than
 * the one run) is still run only when first needed. Paths to the package's files go through
 * core/package-root.ts, which finds the package root from wherever the code runs, so they hold in the
 * bundle too.
 *
 * CommonJS, because Node keeps no compiled form of an ES module between runs, while a CommonJS file can
 * be compiled with V8's code cache: `bin.js` does that (harness/cli/bundle-loader.ts), and each command
 * starts some 0.1-0.15 s sooner than it did from ES module chunks.
 *
 * zod's error messages come in some 60 languages, and its namespace export (`z.locales`) keeps them all
 * in a bundle although the CLI never switches from English (zod's default): 310 kB of source that every
 * start compiled. In the bundle, `z.locales` holds English only ({@link englishOnlyZodLocales}).
 *
 * The library entry points (dist/api/*) stay tsc's output: a program that imports the package gets its
 * modules, not the CLI's bundle.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

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

/**
 * `code` with every non-ASCII character replaced by `?` (one per UTF-16 unit, so every column of the
 * source map stays true). esbuild escapes non-ASCII characters in strings, templates, regular
 * expressions and names (its default charset, `ascii`), but leaves them in comments, where the sources
 * and their packages have a few (`§`, `—`). Those few made the CLI's 1.8 MB bundle a two-byte string
 * for V8: every start decoded it from UTF-8 the slow way (about 12 ms instead of 5) and kept twice the
 * bytes; `login-harness list` took about 10 ms less once the bundle was ASCII.
 *
 * Only comments may change: minified (which drops comments), the code before and after must be the
 * same, or this throws and the build fails.
 */
export async function asciiOnly(code) {
  if (!/[\u0080-\uffff]/.test(code)) return code;
  const ascii = code.replace(/[\u0080-\uffff]/g, '?');
  const minified = await Promise.all(
    [code, ascii].map(async (c) => (await transform(c, { minifyWhitespace: true, loader: 'js' })).code),
  );
  if (minified[0] !== minified[1]) {
    throw new Error('the CLI bundle has non-ASCII characters outside comments: build it with charset "ascii"');
  }
  return ascii;
}

/**
 * Bundles the compiled CLI into dist/cli/ (cleared first, so nothing of an older build stays): `main.cjs`,
 * the CLI (dist/harness/cli/main.js) as one CommonJS file, and `bin.js`, the command, which runs it with
 * a code cache (dist/harness/cli/bundled-bin.js).
 */
export async function bundleCli() {
  const outdir = `${root}dist/cli`;
  await rm(outdir, { recursive: true, force: true });
  const external = await externalPackages();
  await build({
    entryPoints: { main: `${root}dist/harness/cli/main.js` },
    outfile: `${outdir}/main.cjs`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20.19',
    external,
    // Every `import()` becomes a `require`: of a module in the bundle (run when first needed, as a
    // chunk was), of a Node built-in, or of an installed package (Node 20.19 requires ES modules too).
    // A user's module is imported through core/import-url.ts.
    supported: { 'dynamic-import': false },
    // Each module's `import.meta.url` is the bundle's: they all sat in dist/cli/ before, as chunks.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    sourcemap: true,
    plugins: [englishOnlyZodLocales],
    logLevel: 'warning',
  });
  const main = `${outdir}/main.cjs`;
  await writeFile(main, await asciiOnly(await readFile(main, 'utf8')));
  await build({
    entryPoints: { bin: `${root}dist/harness/cli/bundled-bin.js` },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleCli();
}
