#!/usr/bin/env node
/**
 * Runs a TypeScript example program: `node ../shared/run-ts.mjs server.ts [ARGS...]` (the path as seen
 * from the working directory). This is how the examples' target.json files start their programs.
 *
 * A TypeScript loader (`node --import tsx server.ts`) compiles every file again in every process, and
 * Node then loads each of the program's files and each file of its packages as a module of its own; an
 * audit starts up to six target processes at once, and that was most of their start-up. Here the
 * program is bundled with esbuild into one JavaScript module (its files and the packages it imports)
 * and the bundle is cached; the next start compares the bundled files' sizes and modification times
 * with those recorded (stat calls only) and imports the cached bundle. An edit to any bundled file (a
 * lab's server.ts, the shared lab base, an updated package) makes the next start bundle again, so there
 * is no build step to forget.
 *
 * - `import.meta.url` (also `.dirname`, `.filename`, and `__dirname`, `__filename` in CommonJS files)
 *   keep meaning the file they are written in, not the bundle: the examples find their assets next to
 *   their files.
 * - `process.argv[1]` is the program's own path, as with `node --import tsx server.ts`, so a program
 *   that checks whether it is the one being run still sees itself.
 * - The cache is `node_modules/.cache/login-harness-run-ts/` in the nearest folder above the program
 *   that has a `node_modules`, else in the system's temporary folder. Writes are atomic (a temporary file
 *   renamed), so processes starting together with a cold cache each write a whole bundle, never a torn
 *   one. Where nothing can be written the bundle runs from memory.
 * - With `NODE_OPTIONS=--enable-source-maps`, stack traces point at the TypeScript sources (without
 *   it they name the bundle, whose comments name each file; mapping costs every start some time).
 * - A package that cannot be bundled (a native addon) is a compile error: start such a program another way.
 * - WebAssembly is compiled by V8's baseline compiler only (`--liftoff-only`): the first `fetch` compiles
 *   Node's HTTP parser (llhttp, WebAssembly), and V8's optimizing compiler spent more CPU on it than the
 *   rest of a start (about 0.25 s of each); the baseline code parses a response as correctly, and
 *   JavaScript is compiled as before.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
// Loaded before the flag change below, with Node's code cache: the launcher's own `vm` and `module`,
// and what every server loads when it listens or connects (`cluster`, which also loads `child_process`,
// `dgram` and `tty`, and `dns`).
import 'node:vm';
import 'node:module';
import 'node:cluster';
import 'node:dns';

// Before the program runs, so llhttp is never tiered up to optimized code (see above). Node's built-in
// modules loaded after a flag change compile without Node's code cache (it records the flags): the
// modules imported above, and undici (`fetch`, loaded by touching one of its lazy globals), are loaded
// first. undici starts compiling llhttp as it loads, and the flag still keeps that module at the
// baseline tier: a target start costs about 35 ms less CPU, an audit's targets about 0.2 CPU-s less.
void globalThis.Headers;
v8.setFlagsFromString('--liftoff-only');

/**
 * Bumped when the bundle's shape changes, so caches written by an older launcher are not used (2: the
 * V8 code cache is made under `--liftoff-only`, and V8 refuses a cache made under other flags).
 */
const FORMAT = 2;
const SELF = fileURLToPath(import.meta.url);
/** Bytes in front of the V8 data of a `.run.v8`: how long the process that wrote it had run (float64, ms). */
const RUN_CACHE_HEADER = 8;
/** A process that ran this many times as long as the one that made the `.run.v8` writes it again. */
const RUN_CACHE_RENEWAL = 1.25;
/** Bundles older than this that no manifest names any more are deleted (a start may still be importing a newer one). */
const PRUNE_AFTER_MS = 10 * 60_000;

const [entryArg, ...programArgs] = process.argv.slice(2);
if (!entryArg) {
  process.stderr.write('usage: node run-ts.mjs PROGRAM.ts [ARGS...]\n');
  process.exit(2);
}
let entry;
try {
  entry = realpathSync(path.resolve(entryArg));
} catch {
  process.stderr.write(`run-ts: no such file: ${path.resolve(entryArg)}\n`);
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...programArgs];

const cacheDir = findCacheDir(path.dirname(entry));
const key = createHash('sha256').update(`${FORMAT}\0${process.version}\0${entry}`).digest('hex').slice(0, 16);
const manifestFile = path.join(cacheDir, `${key}.json`);

const bundle = freshBundle() ?? store(await build());
await run(bundle);

/**
 * Runs a bundle. A CommonJS bundle is compiled with V8's code cache (kept next to it, made on its first
 * run): compiling the bundle's packages was a good part of a start. A program with a top-level await is
 * an ES module bundle, imported as such.
 */
async function run(bundle) {
  if (bundle.format === 'esm') {
    await import(
      bundle.file
        ? pathToFileURL(bundle.file).href
        : `data:text/javascript;base64,${Buffer.from(bundle.code).toString('base64')}`
    );
    return;
  }
  const { createRequire } = await import('node:module');
  if (bundle.file && process.sourceMapsEnabled) {
    // `--enable-source-maps`: Node's own loader maps stack traces to the sources (it has no code cache).
    createRequire(entry)(bundle.file);
    return;
  }
  const vm = await import('node:vm');
  const text = bundle.code ?? readFileSync(bundle.file, 'utf8');
  // A `#!` line the bundle kept from the program would be a syntax error inside the wrapper below.
  const code = text.startsWith('#!') ? `//${text}` : text;
  // Two code caches: `.v8`, made once the program's first synchronous part has run (its start), and
  // `.run.v8`, made when a process exits normally, which also holds the functions first called while
  // the program served requests (compiled lazily in every process, they were most of what a target's
  // requests cost beyond its start). A process started from a `.run.v8` holds all of its functions, so
  // one that ran clearly longer than the process that made it writes a fuller one.
  const startCache = bundle.file && `${bundle.file}.v8`;
  const runCache = bundle.file && `${bundle.file}.run.v8`;
  let cachedData;
  /** How long the process that made the `.run.v8` had run, in ms (its first 8 bytes). */
  let runCacheMadeAfterMs = 0;
  const saved = readCache(runCache);
  if (saved && saved.length > RUN_CACHE_HEADER) {
    runCacheMadeAfterMs = saved.readDoubleLE(0);
    cachedData = saved.subarray(RUN_CACHE_HEADER);
  } else {
    cachedData = readCache(startCache);
  }
  const fromRun = runCacheMadeAfterMs > 0;
  // Strict, as the ES modules it was bundled from are.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {'use strict';${code}\n})`,
    {
      filename: bundle.file ?? entry,
      ...(cachedData ? { cachedData } : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  if (runCache) {
    process.once('exit', (code) => {
      // A program that failed (a target refusing its provider) may not have run what it usually runs.
      const ranMs = performance.now();
      if (code !== 0 || (fromRun && accepted && ranMs < RUN_CACHE_RENEWAL * runCacheMadeAfterMs)) return;
      try {
        const header = Buffer.alloc(RUN_CACHE_HEADER);
        header.writeDoubleLE(ranMs, 0);
        writeAtomic(runCache, Buffer.concat([header, script.createCachedData()]));
      } catch {
        // A read-only cache: the next start compiles lazily again.
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(entry), module, entry, path.dirname(entry));
  // After the program's first synchronous part, so the functions it compiled are in the cache too.
  if (startCache && !accepted) {
    try {
      writeAtomic(startCache, script.createCachedData());
    } catch {
      // A read-only cache: the next start compiles again.
    }
  }
}

/** A cache file's bytes, or undefined when there is none. */
function readCache(file) {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache folder: `node_modules/.cache/login-harness-run-ts` of the nearest folder at or above `dir`
 * that has a `node_modules` (where a project keeps its tools' caches), else one in the temporary folder.
 */
function findCacheDir(dir) {
  for (let at = dir; ; at = path.dirname(at)) {
    if (path.basename(at) !== 'node_modules' && existsSync(path.join(at, 'node_modules')))
      return path.join(at, 'node_modules', '.cache', 'login-harness-run-ts');
    if (path.dirname(at) === at) return path.join(os.tmpdir(), `login-harness-run-ts-${os.userInfo().uid}`);
  }
}

/** The content hash of a file's bytes. */
function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Size, modification time and content hash of a file, or undefined when it is gone. The time is taken
 * before the content is read: an edit in between leaves a time that differs next time, and the hash
 * then decides.
 */
function fingerprint(file, withHash = true) {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (!withHash) return { file, size: st.size, mtimeMs: st.mtimeMs };
  const bytes = readFileSync(file);
  return { file, size: bytes.length, mtimeMs: st.mtimeMs, sha256: sha256(bytes) };
}

/**
 * The cached bundle when every file it was built from is unchanged: same size and modification time,
 * or else the same content (a file touched but not edited, a checkout that rewrote it).
 */
function freshBundle() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest?.format !== FORMAT || typeof manifest.bundle !== 'string' || !Array.isArray(manifest.inputs))
    return undefined;
  for (const input of manifest.inputs) {
    const now = fingerprint(input.file, false);
    if (!now || now.size !== input.size) return undefined;
    if (now.mtimeMs !== input.mtimeMs && fingerprint(input.file)?.sha256 !== input.sha256) return undefined;
  }
  const file = path.join(cacheDir, manifest.bundle);
  return existsSync(file) ? { format: manifest.bundleFormat === 'esm' ? 'esm' : 'cjs', file } : undefined;
}

/** The files esbuild reads besides the sources: the launcher itself and the nearest tsconfig.json. */
function configFiles() {
  const files = [SELF];
  for (let at = path.dirname(entry); ; at = path.dirname(at)) {
    const tsconfig = path.join(at, 'tsconfig.json');
    if (existsSync(tsconfig)) {
      files.push(tsconfig);
      break;
    }
    if (path.dirname(at) === at) break;
  }
  return files;
}

/** The esbuild loader of a source file. */
function loaderOf(file) {
  const ext = path.extname(file);
  if (/^\.[cm]?ts$/.test(ext)) return 'ts';
  if (ext === '.tsx' || ext === '.jsx') return ext.slice(1);
  return 'js';
}

/**
 * Bundles the program: its format, code, source map and the fingerprints of the files it was built
 * from (of the very bytes compiled, so an edit saved during the build is seen next time). CommonJS,
 * unless the program awaits at its top level. Exits 1 on a compile error.
 */
async function build() {
  const esbuild = await import('esbuild');
  try {
    try {
      return await buildAs(esbuild, 'cjs');
    } catch (err) {
      if (!err?.errors?.some((e) => /top-level await/i.test(e.text))) throw err;
      return await buildAs(esbuild, 'esm');
    }
  } catch (err) {
    const messages = err?.errors?.length
      ? await esbuild.formatMessages(err.errors, { kind: 'error', color: false })
      : [`${err?.message ?? err}\n`];
    process.stderr.write(messages.join(''));
    process.exit(1);
  } finally {
    await esbuild.stop();
  }
}

/** One build of {@link build} in `format`; throws esbuild's failure. */
async function buildAs(esbuild, format) {
  /** Fingerprints of the sources as they were read for this bundle, by path. */
  const read = new Map();
  /** Each file's own values of these, declared at its top by the plugin below (esbuild renames clashes). */
  const own = {
    'import.meta.url': ['__runTsUrl', (file) => pathToFileURL(file).href],
    'import.meta.dirname': ['__runTsDirname', (file) => path.dirname(file)],
    'import.meta.filename': ['__runTsFilename', (file) => file],
    __dirname: ['__runTsDirname', (file) => path.dirname(file)],
    __filename: ['__runTsFilename', (file) => file],
  };
  const sources = {
    name: 'run-ts-sources',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const st = statSync(args.path);
        const bytes = readFileSync(args.path);
        read.set(args.path, { file: args.path, size: bytes.length, mtimeMs: st.mtimeMs, sha256: sha256(bytes) });
        const source = bytes.toString('utf8');
        const used = new Map();
        for (const [expr, [name, value]] of Object.entries(own)) {
          if (source.includes(expr.startsWith('import.meta') ? 'import.meta' : expr) && !used.has(name))
            used.set(name, JSON.stringify(value(args.path)));
        }
        if (used.size === 0) return { contents: source, loader: loaderOf(args.path) };
        const values = `var ${[...used].map(([name, value]) => `${name} = ${value}`).join(', ')};`;
        // On the first line (after a #! line), so the source map's line numbers stay those of the file.
        const shebang = /^#![^\n]*\n/.exec(source)?.[0] ?? '';
        return { contents: shebang + values + source.slice(shebang.length), loader: loaderOf(args.path) };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: path.dirname(entry),
    outfile: path.join(cacheDir, `${key}.js`),
    bundle: true,
    platform: 'node',
    format,
    target: `node${process.versions.node}`,
    // As tsx does: function and class names stay those of the source, whatever the bundle renames.
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: false,
    define: Object.fromEntries(Object.entries(own).map(([expr, [name]]) => [expr, name])),
    plugins: [sources],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  let code = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
  // The map names the sources by absolute URL: relative to the cache they would be resolved from the
  // cache's real path, which is elsewhere when node_modules is a link.
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map')).text);
  map.sources = map.sources.map((source) => pathToFileURL(path.resolve(cacheDir, source)).href);
  // CommonJS packages inside an ES module bundle call `require` for Node's own modules. The line added
  // on top shifts the source map by one line (a `;` more in front of its mappings).
  if (format === 'esm' && code.includes('__require(')) {
    code = `import { createRequire as __runTsCreateRequire } from 'node:module'; const require = __runTsCreateRequire(${JSON.stringify(entry)});\n${code}`;
    map.mappings = `;${map.mappings}`;
  }
  const inputs = [
    ...Object.keys(result.metafile.inputs).map((p) => path.resolve(path.dirname(entry), p)),
    ...configFiles(),
  ].map((file) => read.get(file) ?? fingerprint(file));
  return { format, code, map: JSON.stringify(map), inputs: inputs.filter(Boolean) };
}

/** Writes `file` atomically: a temporary file of this process renamed over it. */
function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written.
    }
    throw err;
  }
}

/**
 * Stores a bundle under a name of its content (so a bundle file never changes once written), then the
 * manifest that names it; returns the stored bundle, or the bundle in memory when the cache cannot be
 * written.
 */
function store({ format, code, map, inputs }) {
  const name = `${key}-${sha256(code).slice(0, 16)}.${format === 'esm' ? 'mjs' : 'cjs'}`;
  const file = path.join(cacheDir, name);
  const text = `${code}//# sourceMappingURL=${name}.map\n`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeAtomic(`${file}.map`, map);
    writeAtomic(file, text);
    writeAtomic(manifestFile, JSON.stringify({ format: FORMAT, entry, bundle: name, bundleFormat: format, inputs }));
  } catch {
    return { format, code: text };
  }
  prune(name);
  return { format, file };
}

/** Deletes this program's older bundles (with their maps and code caches), once no start can still be using them. */
function prune(current) {
  try {
    for (const f of readdirSync(cacheDir)) {
      if (!f.startsWith(`${key}-`) || f.startsWith(current)) continue;
      const at = path.join(cacheDir, f);
      if (Date.now() - statSync(at).mtimeMs > PRUNE_AFTER_MS) unlinkSync(at);
    }
  } catch {
    // Another start pruned the same files.
  }
}
