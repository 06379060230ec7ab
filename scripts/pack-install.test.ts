/**
 * The package as a user gets it: `npm pack`, the tarball installed into an empty project (offline, see
 * pack-install.ts), then `npx login-harness` and the API used from that project only.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConsumer, packPackage, ROOT } from './pack-install.js';

const run = promisify(execFile);

let work: string;
let project: string;
let tarball: string;

/** Runs a command in a project (default: the empty one); resolves with its exit code and output, never rejects on exit codes. */
async function inProject(
  cmd: string,
  args: string[],
  cwd = project,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: cleanEnv() });
    return { code: 0, stdout: plain(stdout), stderr: plain(stderr) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: plain(e.stdout ?? ''),
      stderr: plain(e.stderr ?? ''),
    };
  }
}

/** Text without terminal colour codes (test runners colour their output even into a pipe). */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** The environment without what a test runner sets, so the project runs as it would in a user's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  return env;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lh-pack-'));
  tarball = await packPackage(path.join(work, 'pack'));
  project = path.join(work, 'project');
  await mkdir(project, { recursive: true });
  await installConsumer(project, tarball);
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled JavaScript with declarations and source maps, and no tests', async () => {
    const { stdout } = await run('tar', ['tzf', tarball], { maxBuffer: 64 * 1024 * 1024 });
    const files = stdout.split('\n').filter(Boolean);
    for (const f of [
      'package/dist/harness/index.js',
      'package/dist/harness/index.d.ts',
      'package/dist/harness/index.js.map',
      'package/dist/harness/cli/bin.js',
      'package/dist/cli/bin.js',
      'package/dist/cli/main.cjs',
      'package/examples/reference-web/target.json',
      'package/reports/schema.json',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /\.test\.[jt]s$/.test(f))).toEqual([]);
    // The harness ships compiled: no TypeScript source of its own layers is in the tarball.
    expect(files.filter((f) => /^package\/(core|harness|mock-idp|scenarios|reports)\/.*\.ts$/.test(f))).toEqual([]);
  });

  it('points bin and every export at files that exist in the installed package', async () => {
    const installed = path.join(project, 'node_modules', 'lexoffice-login-harness');
    const pkg = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = [
      ...Object.values(pkg.bin),
      ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))),
    ];
    expect(targets.length).toBeGreaterThan(3);
    for (const t of targets) expect(existsSync(path.join(installed, t)), t).toBe(true);
    expect(Object.values(pkg.bin).every((b) => b.startsWith('dist/') && b.endsWith('.js'))).toBe(true);
  });

  it('imports no TypeScript loader statically anywhere in the compiled code', async () => {
    // Only a manifest written in TypeScript brings in tsx, with a dynamic import where it is loaded.
    const dist = path.join(project, 'node_modules', 'lexoffice-login-harness', 'dist');
    const offenders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(file);
        else if (
          entry.name.endsWith('.js') &&
          /^\s*(import|export)\b[^;]*?\bfrom\s*'tsx[/']|^\s*import\s*'tsx[/']/m.test(await readFile(file, 'utf8'))
        )
          offenders.push(path.relative(dist, file));
      }
    };
    await walk(dist);
    expect(offenders).toEqual([]);
  });

  it('runs `npx login-harness` from the project: version and catalog', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const version = await inProject('npx', ['login-harness', '--version']);
    expect(version).toMatchObject({ code: 0 });
    expect(version.stdout.trim()).toBe(pkg.version);
    const list = await inProject('npx', ['login-harness', 'list', '--json']);
    expect(list.code).toBe(0);
    const catalog = JSON.parse(list.stdout) as { id: string }[];
    expect(catalog.map((c) => c.id)).toContain('state.mismatch');
  });

  it('audits the bundled reference client with `npx login-harness audit` and passes', async () => {
    const res = await inProject('npx', ['login-harness', 'audit', '--only', 'pkce.s256', '--out', 'ref-report']);
    expect(res.stderr + res.stdout).toContain('pkce.s256');
    expect(res.code).toBe(0);
    const report = JSON.parse(await readFile(path.join(project, 'ref-report', 'report.json'), 'utf8')) as {
      results: { id: string; verdict: string }[];
    };
    expect(report.results).toEqual([expect.objectContaining({ id: 'pkce.s256', verdict: 'pass' })]);
  }, 120_000);

  it('fails the audit of a bundled lab with exit 1', async () => {
    const manifest = 'node_modules/lexoffice-login-harness/examples/labs/pkce-s256/target.json';
    const res = await inProject('npx', ['login-harness', 'audit', manifest, '--only', 'pkce.s256', '--out', 'lab']);
    expect(res.code).toBe(1);
    const report = JSON.parse(await readFile(path.join(project, 'lab', 'report.json'), 'utf8')) as {
      results: { id: string; verdict: string }[];
    };
    expect(report.results).toEqual([expect.objectContaining({ id: 'pkce.s256', verdict: 'fail' })]);
  }, 120_000);

  it('imports the API from the package name in plain JavaScript', async () => {
    await writeFile(
      path.join(project, 'api.mjs'),
      [
        "import { defineTarget } from 'lexoffice-login-harness';",
        "import schema from 'lexoffice-login-harness/report-schema.json' with { type: 'json' };",
        "const target = defineTarget({ name: 'mine', kind: 'web', client: { id: 'c', redirectUri: 'http://127.0.0.1:1/cb', scopes: ['openid'] }, login: { url: 'http://127.0.0.1:1/login' } });",
        'console.log(JSON.stringify({ name: target.name, schema: schema.title }));',
      ].join('\n'),
    );
    const res = await inProject('node', ['api.mjs']);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual({
      name: 'mine',
      schema: expect.stringContaining('lexoffice-login-harness report'),
    });
  });
});

describe('examples/consumer/ against the packed package', () => {
  let consumer: string;
  beforeAll(async () => {
    consumer = path.join(work, 'consumer');
    await cp(path.join(ROOT, 'examples', 'consumer'), consumer, { recursive: true });
    const own = JSON.parse(await readFile(path.join(consumer, 'package.json'), 'utf8')) as { scripts: object };
    await installConsumer(consumer, tarball, {
      devDependencies: ['vitest', '@playwright/test', 'msw'],
      packageJson: { scripts: own.scripts },
    });
  }, 300_000);

  it('type-checks against the declarations the package ships (API, matcher, fixture)', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const res = await inProject('node', [tsc, '-p', 'tsconfig.json'], consumer);
    expect(res.stdout + res.stderr).toBe('');
    expect(res.code).toBe(0);
  }, 120_000);

  it('runs its vitest tests green: msw unit test and an audit in a test', async () => {
    const res = await inProject('npx', ['vitest', 'run'], consumer);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Tests\s+4 passed/);
  }, 300_000);

  it('runs its Playwright test green with the mockIdp fixture', async () => {
    const res = await inProject('npx', ['playwright', 'test'], consumer);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/2 passed/);
  }, 300_000);
});
