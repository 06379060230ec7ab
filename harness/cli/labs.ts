/**
 * The coursework model shared by `login-harness lab` and `login-harness grade`: the bundled labs
 * (`examples/labs/labs.json`), a student's copy of one (laid out like the package's examples, so the
 * lab's imports of the shared lab base resolve unchanged), its graded hints, and the audit that decides
 * whether a copy is fixed.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { UsageError } from '../../core/args.js';
import { packagePath } from '../../core/package-root.js';
import {
  DEFAULT_POLICY,
  PolicyNameSchema,
  type CheckResult,
  type PolicyName,
  type Report,
} from '../../reports/model.js';

const LabsIndexSchema = z.object({
  labs: z.array(
    z.object({
      dir: z.string().min(1),
      fails: z.array(z.string().min(1)).min(1),
      /** The policy under which the lab fails its checks (`strict` where the text allows its flaw otherwise). */
      policy: PolicyNameSchema.optional(),
    }),
  ),
});

/** One bundled lab: its id (the folder name) and the checks it is built to fail. */
export interface Lab {
  id: string;
  checks: string[];
  /** The policy the lab is judged under: a fix must pass under it. */
  policy: PolicyName;
  /** The one-sentence description from its README ("What this client does"). */
  description: string;
}

/** The package's labs folder. */
export function labsRoot(): string {
  return packagePath('examples', 'labs');
}

/** Every bundled lab, in the order of labs.json. */
export async function loadLabs(): Promise<Lab[]> {
  const index = LabsIndexSchema.parse(JSON.parse(await readFile(path.join(labsRoot(), 'labs.json'), 'utf8')));
  return Promise.all(
    index.labs.map(async (l) => {
      const readme = await readFile(path.join(labsRoot(), l.dir, 'README.md'), 'utf8').catch(() => '');
      return {
        id: l.dir,
        checks: l.fails,
        policy: l.policy ?? DEFAULT_POLICY,
        description: firstSentence(section(readme, 'What this client does')),
      };
    }),
  );
}

/** The lab `id`, or a usage error naming the closest ids. */
export async function findLab(id: string): Promise<Lab> {
  const labs = await loadLabs();
  const lab = labs.find((l) => l.id === id);
  if (!lab) {
    const near = labs.filter((l) => l.id.includes(id) || id.includes(l.id.split('-')[0])).map((l) => l.id);
    throw new UsageError(
      `unknown lab ${JSON.stringify(id)}${near.length ? `; did you mean ${near.slice(0, 5).join(', ')}?` : ''} (login-harness lab list)`,
    );
  }
  return lab;
}

/** The body of the `## title` section of a README (up to the next `##`). */
export function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`## ${title}`);
  if (start < 0) return '';
  const body = markdown.slice(start + title.length + 3);
  const end = body.search(/\n## /);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

function firstSentence(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(one);
  return m ? m[1] : one;
}

/** The contents of each `<details><summary>NAME</summary> ... </details>` block named `name`. */
function detailsBlocks(markdown: string, name: string): string[] {
  const re = new RegExp(`<details><summary>${name}</summary>([\\s\\S]*?)</details>`, 'g');
  return [...markdown.matchAll(re)].map((m) => m[1].trim());
}

/**
 * The file a lab's flaw lives in: `server.ts` for the web and browser labs, `driver.ts` for the labs of
 * native apps, which are drivers (TARGETS.md §4).
 */
export function labEntry(labDir: string): string {
  return existsSync(path.join(labDir, 'driver.ts')) && !existsSync(path.join(labDir, 'server.ts'))
    ? 'driver.ts'
    : 'server.ts';
}

/** Example folders (`reference-native`, `openid-client-web`, ...) a TypeScript file imports from `../`. */
function importedExampleFolders(source: string): string[] {
  return [...source.matchAll(/from '(?:\.\.\/)+([a-z][\w-]*)\/[^']*'/g)].map((m) => m[1]);
}

/**
 * The lab's graded hints, gentlest first: the README's hint, then which part of the reference client the
 * lab replaces, then the remediation (which is the solution, so it comes last and is not in the
 * student's copy).
 */
export async function labHints(id: string): Promise<string[]> {
  const readme = await readFile(path.join(labsRoot(), id, 'README.md'), 'utf8');
  const hints = [...detailsBlocks(readme, 'Hint')];
  const entry = labEntry(path.join(labsRoot(), id));
  const server = await readFile(path.join(labsRoot(), id, entry), 'utf8').catch(() => '');
  if (entry === 'driver.ts') {
    // A native-app lab replaces steps of the reference app it imports, by name (`async openRedirect(`).
    const replaced = [...server.matchAll(/^\s{2}(?:async\s+)?(\w+)\s*\(/gm)].map((m) => m[1]);
    const reference = /from '(\.\.\/\.\.\/reference-[\w-]+\/[\w-]+)\.js'/.exec(server)?.[1];
    if (replaced.length && reference)
      hints.push(
        `The lab replaces ${replaced.map((r) => `\`${r}\``).join(', ')} of the reference app: compare it ` +
          `with the same step in ${reference}.ts.`,
      );
  } else {
    const replaced = [...server.matchAll(/^\s{4}(\w+)\s*[:(]/gm)].map((m) => m[1]);
    if (replaced.length)
      hints.push(
        `The lab replaces ${replaced.map((r) => `\`${r}\``).join(', ')} of the reference client: compare it ` +
          'with the same step in ../_base/flow.ts or ../_base/app.ts.',
      );
  }
  hints.push(...detailsBlocks(readme, 'Remediation').map((r) => `Remediation: ${r}`));
  return hints;
}

/** The README as a student gets it: without the remediation (the solution). */
export function studentReadme(readme: string): string {
  return readme.replace(/\n*<details><summary>Remediation<\/summary>[\s\S]*?<\/details>\n*/g, '\n');
}

/** Where the lab's manifest sits in a student's copy made by {@link copyLab}. */
export function labManifestIn(dir: string, id: string): string {
  return path.join(dir, 'labs', id, 'target.json');
}

/** Whether a test or test support file: never copied to students. */
function isTestFile(src: string): boolean {
  const base = path.basename(src);
  return /\.test\.[cm]?[jt]s$/.test(base) || base === 'test-support.ts' || base === 'web-example-suite.ts';
}

/**
 * Copies lab `id` into `dir` with what it imports (the lab base, the shared example code), laid out as
 * in the package (`dir/labs/ID/`, `dir/labs/_base/`, `dir/shared/`, ...), without tests and without
 * the remediation; links `dir/node_modules` to the package's dependencies so the copy runs anywhere.
 * Refuses a `dir` that already holds the lab.
 */
export async function copyLab(id: string, dir: string): Promise<string> {
  const examples = packagePath('examples');
  const manifest = labManifestIn(dir, id);
  if (existsSync(manifest)) throw new UsageError(`${path.dirname(manifest)} already exists; choose another folder`);
  const filter = (src: string): boolean => !isTestFile(src);
  await mkdir(path.join(dir, 'labs'), { recursive: true });
  await cp(path.join(examples, 'labs', id), path.join(dir, 'labs', id), { recursive: true, filter });
  for (const shared of ['labs/_base', 'labs/_spa-base', 'shared']) {
    if (existsSync(path.join(examples, shared)))
      await cp(path.join(examples, shared), path.join(dir, shared), { recursive: true, filter });
  }
  await mkdir(path.join(dir, 'reference-web'), { recursive: true });
  await cp(path.join(examples, 'reference-web', 'discovery.ts'), path.join(dir, 'reference-web', 'discovery.ts'));
  // The reference clients a lab builds on (`../../reference-native/`, and what that imports in turn).
  const pending = importedExampleFolders(
    await readFile(path.join(examples, 'labs', id, labEntry(path.join(examples, 'labs', id))), 'utf8').catch(() => ''),
  );
  const copied = new Set(['labs', 'shared', 'reference-web']);
  while (pending.length > 0) {
    const folder = pending.shift()!;
    if (copied.has(folder) || !existsSync(path.join(examples, folder))) continue;
    copied.add(folder);
    await cp(path.join(examples, folder), path.join(dir, folder), { recursive: true, filter });
    for (const file of await readdir(path.join(examples, folder))) {
      if (file.endsWith('.ts') && !isTestFile(file))
        pending.push(...importedExampleFolders(await readFile(path.join(examples, folder, file), 'utf8')));
    }
  }
  const readmeFile = path.join(dir, 'labs', id, 'README.md');
  await writeFile(readmeFile, studentReadme(await readFile(readmeFile, 'utf8')));
  await linkDependencies(dir);
  return manifest;
}

/**
 * Links `dir/node_modules` to the folder the package's dependencies are installed in (zod, esbuild, ...),
 * unless one is there: the lab code imports them, and `shared/run-ts.mjs`, which starts the lab, resolves
 * them (and keeps its cache) from the target's folder upwards.
 */
export async function linkDependencies(dir: string): Promise<void> {
  const link = path.join(dir, 'node_modules');
  if (existsSync(link)) return;
  const zod = createRequire(import.meta.url).resolve('zod');
  const cut = zod.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (cut < 0) return;
  await symlink(zod.slice(0, cut + '/node_modules'.length), link, 'dir');
}

/** Options of {@link auditLab}. */
export interface LabAuditOptions {
  /** Per-check timeout (default 20000). */
  checkTimeoutMs?: number;
  /** Whole-audit deadline (default 120000). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** How a student's copy did on its lab's checks. */
export interface LabOutcome {
  /** `solved`: every check of the lab passed; `unsolved`: one failed or warned; `error`: it could not be judged. */
  status: 'solved' | 'unsolved' | 'error';
  /** The lab's checks as they ended (empty when the audit could not start). */
  results: CheckResult[];
  /** Why, for `error`: the target crashed, hung, did not start, or the run broke. */
  reason?: string;
}

/** Audits the copy whose manifest is `manifest` for the checks of `lab`. Never throws for the copy's faults. */
export async function auditLab(manifest: string, lab: Lab, opts: LabAuditOptions = {}): Promise<LabOutcome> {
  const [{ runClientAudit }, { loadClientCatalog }] = await Promise.all([
    import('../runner/client-audit.js'),
    import('./catalog.js'),
  ]);
  let report: Report;
  try {
    report = await runClientAudit({
      manifestPath: manifest,
      catalog: await loadClientCatalog(),
      seed: 1,
      only: lab.checks,
      policy: lab.policy,
      concurrency: 2,
      checkTimeoutMs: opts.checkTimeoutMs ?? 20_000,
      deadlineMs: opts.deadlineMs ?? 120_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    return { status: 'error', results: [], reason: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
  // The run also holds the checks the lab's verdicts depend on; the exercise is the lab's own checks.
  const results = report.results.filter((r) => lab.checks.includes(r.id));
  const errored = results.filter((r) => r.verdict === 'error');
  if (report.status !== 'complete' || errored.length > 0 || results.length === 0) {
    const why = errored.map((r) => `${r.id}: ${r.summary.split('\n')[0]}`).join('; ');
    return {
      status: 'error',
      results,
      reason: why || (results.length === 0 ? 'no check of the lab applies to this target' : `the run ${report.status}`),
    };
  }
  return { status: results.every((r) => r.verdict === 'pass') ? 'solved' : 'unsolved', results };
}
