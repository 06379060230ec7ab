/**
 * Packs the package and installs the tarball into an empty project, the way a user installs it from a
 * registry. Used by `pack-install.test.ts` (the package works once installed) and by the consumer
 * example's test (examples/consumer/ against the packed package).
 *
 * The install is offline: `npm ci --offline` against a lockfile that lists the tarball and, for every
 * dependency, the exact version, `resolved` URL and integrity this repository's package-lock.json pins.
 * `npm ci` of the repository has put exactly those tarballs into the npm cache, so the install needs no
 * network; a plain `npm install --offline` of the tarball cannot work here, because it has to fetch each
 * dependency's registry document to choose a version, and `npm ci` never caches those.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * Runs `npm pack` in the repository (its `prepare` script builds dist/ first) into `destDir` and
 * returns the tarball's path.
 */
export async function packPackage(destDir: string): Promise<string> {
  await mkdir(destDir, { recursive: true });
  await run('npm', ['pack', '--pack-destination', destDir, '--silent'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const tarball = (await readdir(destDir)).find((f) => f.startsWith('lexoffice-login-harness-') && f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${destDir}`);
  return path.join(destDir, tarball);
}

/**
 * The lockfile of a project that depends on `tarball` (relative to the project) and on `extra`
 * packages of this repository's lockfile (the consumer's test tools). Every entry is copied from the
 * repository's lockfile with the packages it needs, found the way Node resolves them (nearest
 * `node_modules` upwards).
 */
export function consumerLock(
  name: string,
  tarball: string,
  extra: { dependencies?: string[]; devDependencies?: string[] } = {},
): Record<string, unknown> {
  const packages = readJson<{ packages: Record<string, LockEntry> }>(path.join(ROOT, 'package-lock.json')).packages;
  const pkg = readJson<PackageJson>(path.join(ROOT, 'package.json'));
  const chosen: Record<string, LockEntry> = {};

  const resolve = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (packages[candidate]) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut >= 0 ? base.slice(0, cut) : '';
    }
  };
  const walk = (at: string): void => {
    if (chosen[at]) return;
    const { dev: _dev, devOptional: _devOptional, ...entry } = packages[at];
    chosen[at] = entry;
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]) {
      const found = resolve(at, dep);
      if (found) walk(found);
    }
  };
  const roots = [...Object.keys(pkg.dependencies), ...(extra.dependencies ?? []), ...(extra.devDependencies ?? [])];
  for (const dep of roots) {
    const found = resolve('', dep);
    if (!found) throw new Error(`${dep} is not in the repository's package-lock.json`);
    walk(found);
  }
  const pinned = (names: string[] = []) =>
    Object.fromEntries(names.map((n) => [n, packages[`node_modules/${n}`]?.version ?? '*']));
  return {
    name,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name,
        dependencies: { [pkg.name]: `file:${tarball}`, ...pinned(extra.dependencies) },
        devDependencies: pinned(extra.devDependencies),
      },
      [`node_modules/${pkg.name}`]: {
        version: pkg.version,
        resolved: `file:${tarball}`,
        license: pkg.license,
        dependencies: pkg.dependencies,
        bin: pkg.bin,
        engines: pkg.engines,
      },
      ...chosen,
    },
  };
}

/** What {@link installConsumer} installs besides the package. */
export interface ConsumerSetup {
  /** Packages the project itself depends on (versions pinned from the repository's lockfile). */
  dependencies?: string[];
  /** Its test tools (vitest, @playwright/test, ...). */
  devDependencies?: string[];
  /** Extra package.json fields (scripts, ...). */
  packageJson?: Record<string, unknown>;
}

/**
 * Writes package.json and package-lock.json for a project in `dir` that depends on `tarball`, and runs
 * `npm ci --offline` there. Returns npm's output.
 */
export async function installConsumer(dir: string, tarball: string, setup: ConsumerSetup = {}): Promise<string> {
  const name = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const relTarball = path.relative(dir, tarball).split(path.sep).join('/');
  const spec = relTarball.startsWith('.') ? relTarball : `./${relTarball}`;
  const lock = consumerLock(name, spec, setup);
  const root = (lock.packages as Record<string, { dependencies?: object; devDependencies?: object }>)[''];
  const pkgJson = {
    name,
    private: true,
    type: 'module',
    ...setup.packageJson,
    dependencies: root.dependencies,
    devDependencies: root.devDependencies,
  };
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(pkgJson, null, 2)}\n`);
  await writeFile(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  const { stdout, stderr } = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout + stderr;
}
