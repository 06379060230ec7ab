/**
 * The CLI bundle (scripts/bundle-cli.mjs, run by `npm run build`): what it holds and what it leaves to
 * the installed packages.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JavaScript build script without declarations
import { asciiOnly, BUNDLED, externalPackages } from './bundle-cli.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'dist', 'cli');

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** The bundle's files: the command (`bin.js`) and the CLI (`main.cjs`). */
async function bundleFiles(): Promise<string[]> {
  return (await readdir(OUT)).filter((f) => /\.(c?js)$/.test(f));
}

/** Every module specifier the bundle's files import or require, statically or dynamically. */
async function importedSpecifiers(): Promise<string[]> {
  const found = new Set<string>();
  for (const file of await bundleFiles()) {
    const code = await readFile(path.join(OUT, file), 'utf8');
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+|\brequire\s*\(\s*)"([^"]+)"/gm))
      found.add(m[1]);
  }
  return [...found];
}

describe('the CLI bundle', () => {
  it('leaves every declared package but zod, jose and tough-cookie to the installed package, sub-paths included', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const external = (await externalPackages()) as string[];
    expect(BUNDLED).toEqual(['zod', 'jose', 'tough-cookie']);
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      if (BUNDLED.includes(name)) expect(external).not.toContain(name);
      else expect(external).toEqual(expect.arrayContaining([name, `${name}/*`]));
    }
  });

  it('is what the login-harness command runs', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['login-harness']).toBe('dist/cli/bin.js');
    expect(await readFile(path.join(ROOT, 'bin', 'login-harness.mjs'), 'utf8')).toContain("'../dist/cli/bin.js'");
  });

  it('imports only Node built-ins, declared packages other than the bundled ones, and its own files', async () => {
    expect(existsSync(path.join(OUT, 'bin.js')), 'dist/cli/bin.js: run `npm run build`').toBe(true);
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const packageOf = (spec: string): string =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const strays: string[] = [];
    const specs = await importedSpecifiers();
    for (const spec of specs) {
      if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      // A relative import must stay inside dist/cli: one into the rest of dist/ would load a second copy
      // of a module the bundle already holds.
      if (spec.startsWith('.')) {
        if (!spec.startsWith('./') || spec.includes('/..')) strays.push(spec);
        else if (!existsSync(path.join(OUT, spec))) strays.push(`${spec} (missing)`);
        continue;
      }
      const name = packageOf(spec);
      if (!declared.includes(name) || BUNDLED.includes(name)) strays.push(spec);
    }
    expect(strays).toEqual([]);
    // The heavy packages stay out of the bundle: msw is imported, playwright-core required
    // (harness/browser/playwright-core.ts), both from the installed package.
    expect(specs).toContain('msw/node');
    const files = await Promise.all((await bundleFiles()).map((f) => readFile(path.join(OUT, f), 'utf8')));
    expect(files.some((code) => /\(\s*"playwright-core"\s*\)/.test(code))).toBe(true);
    expect(files.some((code) => code.includes('playwright-core/lib/'))).toBe(false);
  });

  it('carries zod with its English messages only, and the CLI still words a bad manifest in English', async () => {
    const files = await Promise.all((await bundleFiles()).map((f) => readFile(path.join(OUT, f), 'utf8')));
    const sources = files.join('\n');
    // Two of zod's other locales, by the file comments esbuild leaves in the bundle.
    expect(sources).not.toMatch(/node_modules\/zod\/v4\/locales\/(de|fr)\.js/);
    expect(sources).toMatch(/node_modules\/zod\/v4\/locales\/en\.js/);
    const dir = await mkdtemp(path.join(tmpdir(), 'bundle-zod-'));
    try {
      const manifest = path.join(dir, 'target.json');
      await writeFile(manifest, JSON.stringify({ name: 'x', kind: 'web', client: { id: 3 } }));
      const run = spawnSync(process.execPath, [path.join(OUT, 'bin.js'), 'audit', manifest, '--out', dir], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('client.id: expected a string, got 3');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('imports a manifest module (JavaScript or TypeScript) from the CommonJS bundle', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bundle-module-'));
    try {
      for (const [file, text] of [
        ['target.mjs', "export default { name: 'x', kind: 'web', client: { id: 3 } };\n"],
        ['target.ts', "const id: number = 3;\nexport default { name: 'x', kind: 'web', client: { id } };\n"],
      ]) {
        const manifest = path.join(dir, file);
        await writeFile(manifest, text);
        const run = spawnSync(process.execPath, [path.join(OUT, 'bin.js'), 'audit', manifest, '--out', dir], {
          encoding: 'utf8',
        });
        // The module was loaded and its default export validated (not "cannot load manifest module").
        expect(run.stderr, file).toContain('client.id: expected a string, got 3');
        expect(run.status, file).toBe(2);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is ASCII only, so V8 keeps it as one-byte text', async () => {
    const bytes = await readFile(path.join(OUT, 'main.cjs'));
    const wide = bytes.findIndex((b) => b > 0x7f);
    expect(wide, `non-ASCII byte at ${wide}: ${bytes.subarray(Math.max(0, wide - 40), wide + 8).toString()}`).toBe(-1);
  });

  it('replaces non-ASCII characters in comments one for one (source map columns stay true), and refuses any elsewhere', async () => {
    const asciiOf = asciiOnly as (code: string) => Promise<string>;
    const code = '// RFC 7636 \u00a74.1 \u2014 see \u{1f50d}\nconst a = 1; /* \u00a7 */ f(a);\n';
    const ascii = await asciiOf(code);
    expect(ascii).toBe('// RFC 7636 ?4.1 ? see ??\nconst a = 1; /* ? */ f(a);\n');
    expect(ascii.length).toBe(code.length);
    expect(await asciiOf('const plain = "ascii";\n')).toBe('const plain = "ascii";\n');
    await expect(asciiOf('const s = "\u00a7";\n')).rejects.toThrow(/non-ASCII characters outside comments/);
    await expect(asciiOf('const re = /\u2014/;\n')).rejects.toThrow(/non-ASCII characters outside comments/);
  });

  it("leaves V8's compiled form of the bundle for the next command, which prints the same", async () => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'bundle-cache-'));
    try {
      const env = { ...process.env, LOGIN_HARNESS_CODE_CACHE_DIR: cacheDir, LOGIN_HARNESS_NO_CODE_CACHE: '' };
      const first = spawnSync(process.execPath, [path.join(OUT, 'bin.js'), 'list'], { encoding: 'utf8', env });
      expect(first.status).toBe(0);
      const caches = (await readdir(cacheDir)).filter((f) => f.startsWith('main-'));
      expect(caches).toHaveLength(1);
      expect(caches[0]).toMatch(/^main-[0-9a-f]{8}-[0-9a-f]{12}-[0-9a-f]{8}\.v8$/);
      const second = spawnSync(process.execPath, [path.join(OUT, 'bin.js'), 'list'], { encoding: 'utf8', env });
      expect(second.status).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(second.stdout).toContain('state.present');
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
