/**
 * Hostile targets: web, SPA and driver targets that hang, loop, flood, crash mid-login, speak garbage,
 * drip bytes or exit at start, audited with the real catalog (a few checks, short timeouts). Every
 * check must end in `error` or a verdict that the run really observed, the run must end within its
 * deadline, the report must be written, and no process may be left behind.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../../reports/output.js';
import type { Report } from '../../../reports/model.js';
import { loadClientCatalog } from '../../cli/catalog.js';
import { runClientAudit } from '../../runner/client-audit.js';
import { limiter } from '../../../scripts/efficacy-targets.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/login-harness.mjs', import.meta.url));

/** Checks that need a login (state, PKCE), one that needs a callback, and one that only scans logs. */
const CHECKS = ['state.present', 'state.mismatch', 'pkce.s256', 'leak.logs'];
/**
 * The compensating controls of those checks' requirements, left out by name so the run holds exactly
 * CHECKS (a verdict that would need one then says it did not run).
 */
const CONTROLS = [
  'pkce.present',
  'pkce.verifier-sent',
  'pkce.verifier-fresh',
  'state.session-binding',
  'nonce.present',
  'id-token.nonce',
];
const CHECK_TIMEOUT_MS = 2000;
const DEADLINE_MS = 12_000;
/** Start-up and tear-down around the deadline (target start, provider, browser launch). */
const GRACE_MS = 8000;
/** The same for a browser target: Chromium's launch and its shutdown take seconds more on a busy machine. */
const BROWSER_GRACE_MS = 15_000;
/**
 * Chromium audits at once: each launches its own browser, and more than a few at a time on a small
 * machine turn the run's deadline into a measure of the machine's load instead of the harness.
 */
const browserSlots = limiter(2);
/** Browser cases may wait for a slot before their own run begins. */
const SPA_CASES_TIMEOUT_MS = 180_000;

type Kind = 'web' | 'spa' | 'driver';

interface Case {
  kind: Kind;
  mode: string;
  /**
   * Verdicts other than `error` and `not-applicable` that the run may justly give, by check: what the
   * target did before it turned hostile was observed (e.g. its authorization request had a state).
   */
  justified?: Record<string, readonly string[]>;
}

/**
 * What a hostile server does, met by a web target's server and by the server of a browser application
 * alike (for the latter, Chromium meets it).
 */
const SERVER_FAULTS: ReadonlyArray<Omit<Case, 'kind'>> = [
  { mode: 'hang' },
  { mode: 'loop' },
  { mode: 'flood' },
  // The login starts properly: the authorization request (with its state) reached the provider.
  { mode: 'crash', justified: { 'state.present': ['pass'] } },
  { mode: 'garbage' },
  { mode: 'drip' },
  { mode: 'exit' },
];

const CASES: Case[] = [
  ...(['web', 'spa'] as const).flatMap((kind) => SERVER_FAULTS.map((fault) => ({ kind, ...fault }))),
  // And pages that misbehave in the browser itself.
  { kind: 'spa', mode: 'spa-loop' },
  { kind: 'spa', mode: 'spa-reload' },
  { kind: 'driver', mode: 'hang' },
  { kind: 'driver', mode: 'garbage' },
  { kind: 'driver', mode: 'flood' },
  // The driver hands out a real authorization URL (with a state) before it dies at the callback.
  { kind: 'driver', mode: 'crash', justified: { 'state.present': ['pass'] } },
  { kind: 'driver', mode: 'drip' },
  { kind: 'driver', mode: 'exit' },
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lh-hostile-'));
});
afterAll(async () => {
  // Nothing this suite started may outlive it: no process whose parent chain leads back here.
  expect(await descendants(process.pid)).toEqual([]);
  await rm(work, { recursive: true, force: true });
});

/** Writes a manifest for `c` with absolute paths and its mode, and a folder for the pids it records. */
async function prepare(c: Case): Promise<{ manifest: string; dir: string }> {
  const dir = await mkdtemp(join(work, `${c.kind}-${c.mode}-`));
  const template = JSON.parse(await readFile(join(HERE, `${c.kind}.json`), 'utf8')) as {
    start: { cwd?: string; env: Record<string, string> };
  };
  template.start.cwd = HERE;
  template.start.env = { ...template.start.env, HOSTILE_MODE: c.mode, HOSTILE_PID_DIR: dir };
  const manifest = join(dir, 'target.json');
  await writeFile(manifest, JSON.stringify(template));
  return { manifest, dir };
}

/** The pids the target processes recorded. */
async function recordedPids(dir: string): Promise<number[]> {
  const text = await readFile(join(dir, 'pids'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live descendants of `root` (from /proc), as `pid command` strings. */
async function descendants(root: number): Promise<string[]> {
  const parents = new Map<number, { ppid: number; name: string }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // Zombies (state Z) are gone as processes; they only wait for their parent to read the status.
    if (fields[0] === 'Z') continue;
    parents.set(Number(entry), { ppid: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, close) });
  }
  const found: string[] = [];
  for (const [pid, { name }] of parents) {
    let p = parents.get(pid)?.ppid;
    while (p !== undefined && p > 1) {
      if (p === root) {
        found.push(`${pid} ${name}`);
        break;
      }
      p = parents.get(p)?.ppid;
    }
  }
  return found;
}

/** What every hostile run must show, whatever the target did. */
function expectNoUnjustifiedVerdict(report: Report, c: Case): void {
  // Every selected check applies to every kind, so each one has a result.
  expect(report.results.map((r) => r.id).sort()).toEqual([...CHECKS].sort());
  for (const r of report.results) {
    const allowed = ['error', 'not-applicable', ...(c.justified?.[r.id] ?? [])];
    expect(allowed, `${c.kind}/${c.mode} ${r.id}: ${r.verdict} (${r.summary})`).toContain(r.verdict);
    // A pass is only ever one the run observed.
    if (r.verdict === 'pass') expect(r.observations.length).toBeGreaterThan(0);
  }
}

describe('hostile targets (harness API, real catalog)', () => {
  it.concurrent.each(CASES.map((c) => [`${c.kind} target that does "${c.mode}"`, c] as const))(
    'the audit of a %s ends every check in error or a justified verdict, in time, and leaves no process',
    async (_name, c) => (c.kind === 'spa' ? browserSlots(() => auditHostile(c)) : auditHostile(c)),
    SPA_CASES_TIMEOUT_MS,
  );
});

/** One hostile case through the harness API: every guarantee the suite stands for. */
async function auditHostile(c: Case): Promise<void> {
  const { manifest, dir } = await prepare(c);
  const started = performance.now();
  const report = await runClientAudit({
    manifestPath: manifest,
    seed: 1,
    only: CHECKS,
    skip: CONTROLS,
    concurrency: 2,
    checkTimeoutMs: CHECK_TIMEOUT_MS,
    deadlineMs: DEADLINE_MS,
    catalog: await loadClientCatalog(),
  });
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(DEADLINE_MS + (c.kind === 'spa' ? BROWSER_GRACE_MS : GRACE_MS));
  expectNoUnjustifiedVerdict(report, c);
  const pids = await recordedPids(dir);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) expect(alive(pid), `target process ${pid} is gone`).toBe(false);
  const files = await writeReports(report, { formats: ['json', 'md'], outDir: join(dir, 'report') });
  const written = JSON.parse(await readFile(files[0], 'utf8')) as Report;
  expect(written.results).toHaveLength(report.results.length);
}

describe('hostile targets (the real CLI)', () => {
  it.concurrent.each([
    ['web', 'hang'],
    ['spa', 'spa-loop'],
    ['driver', 'garbage'],
  ] as Array<[Kind, string]>)(
    'login-harness audit of a %s target that does "%s" writes its report, exits 1 on checks in error or 3 when the run broke, and leaves no process',
    async (kind, mode) => (kind === 'spa' ? browserSlots(() => cliHostile(kind, mode)) : cliHostile(kind, mode)),
    SPA_CASES_TIMEOUT_MS,
  );
});

/** One hostile case through the real CLI, in a process of its own. */
async function cliHostile(kind: Kind, mode: string): Promise<void> {
  const c: Case = { kind, mode };
  const { manifest, dir } = await prepare(c);
  const out = join(dir, 'cli-report');
  const cli = spawn(
    process.execPath,
    [
      BIN,
      'audit',
      manifest,
      '--only',
      CHECKS.join(','),
      '--skip',
      CONTROLS.join(','),
      '--timeout',
      String(CHECK_TIMEOUT_MS),
      '--deadline',
      String(DEADLINE_MS),
      '--out',
      out,
      '--format',
      'json',
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  cli.stdout.on('data', (d: Buffer) => (output += d.toString()));
  cli.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(cli, 'exit')) as [number | null];
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
  // 3: the run itself broke; 1: it completed, but checks that could not judge the target fail the
  // gate; 0 only when every check observed something. Never 2 (the manifest is valid).
  const expected = report.status !== 'complete' ? 3 : report.summary.error > 0 ? 1 : 0;
  expect(code, output).toBe(expected);
  expectNoUnjustifiedVerdict(report, c);
  for (const pid of await recordedPids(dir)) expect(alive(pid)).toBe(false);
  expect(await descendants(cli.pid ?? -1)).toEqual([]);
}
