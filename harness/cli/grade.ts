/**
 * `login-harness grade DIR`: the teacher's side of the coursework. Every folder under DIR is one
 * student's; each assigned lab in it (a copy made by `lab start`) is audited for that lab's checks, a
 * few at a time. A submission that crashes, hangs or does not start is an `error` for that student and
 * lab, and the batch goes on. Writes a gradebook (CSV and JSON) and an HTML summary.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { intFlag, listFlag, parseCommandArgs, UsageError } from '../../core/args.js';
import type { CliIo } from './io.js';
import { auditLab, findLab, linkDependencies, loadLabs, type Lab, type LabOutcome } from './labs.js';

export const GRADE_HELP = `Usage: login-harness grade DIR [options]

Audits every student's folder under DIR (one folder per student, holding the labs they started with
\`login-harness lab start ID\`) for the assigned labs, and writes a gradebook.

Options:
  --labs ID,...      the assigned labs (default: every lab found in each student's folder)
  --concurrency N    submissions audited at the same time (default 2)
  --timeout MS       per-check timeout (default 20000)
  --deadline MS      per-submission deadline (default 120000)
  --out DIR          where gradebook.csv, gradebook.json and gradebook.html go (default ./gradebook)
  -h, --help         show this help

A submission that crashes, hangs or does not start is graded \`error\` (with the reason) and never stops
the batch. Exit codes: 0 the gradebook was written, 2 usage error.
`;

/** One line of the gradebook. */
export interface GradeRow {
  student: string;
  lab: string;
  /** `solved`, `unsolved`, `error` (could not be judged) or `missing` (no copy of the lab). */
  status: LabOutcome['status'] | 'missing';
  /** 1 when solved, else 0. */
  score: 0 | 1;
  /** The lab's checks and their verdicts, e.g. `state.mismatch=fail`. */
  checks: string;
  /** Why, for `error` and `missing`. */
  reason: string;
}

/** The copy of `lab` in a student's folder: `labs/ID/` (lab start ID .) or `ID/labs/ID/` (lab start ID). */
export function submissionManifest(studentDir: string, labId: string): string | undefined {
  return [
    path.join(studentDir, 'labs', labId, 'target.json'),
    path.join(studentDir, labId, 'labs', labId, 'target.json'),
  ].find((f) => existsSync(f));
}

/** The labs a student's folder holds copies of. */
async function labsIn(studentDir: string, all: Lab[]): Promise<Lab[]> {
  return all.filter((l) => submissionManifest(studentDir, l.id) !== undefined);
}

/** Runs `fn` over `items` with at most `limit` at a time, results in input order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Grades one submission; never throws, never outlives `deadlineMs` by more than a grace period. */
async function gradeOne(
  student: string,
  studentDir: string,
  lab: Lab,
  opts: { checkTimeoutMs: number; deadlineMs: number },
): Promise<GradeRow> {
  const base = { student, lab: lab.id };
  const manifest = submissionManifest(studentDir, lab.id);
  if (!manifest) return { ...base, status: 'missing', score: 0, checks: '', reason: 'no copy of the lab' };
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The runner keeps its own deadline; this is the backstop that keeps one submission from holding the batch.
  const backstop = new Promise<LabOutcome>((resolve) => {
    timer = setTimeout(() => {
      stop.abort(new Error('grading deadline passed'));
      resolve({ status: 'error', results: [], reason: `no verdict within ${opts.deadlineMs + 30_000} ms` });
    }, opts.deadlineMs + 30_000);
  });
  let outcome: LabOutcome;
  try {
    await linkDependencies(path.dirname(path.dirname(path.dirname(manifest)))).catch(() => undefined);
    outcome = await Promise.race([
      auditLab(manifest, lab, {
        checkTimeoutMs: opts.checkTimeoutMs,
        deadlineMs: opts.deadlineMs,
        signal: stop.signal,
      }),
      backstop,
    ]);
  } catch (err) {
    outcome = { status: 'error', results: [], reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
  return {
    ...base,
    status: outcome.status,
    score: outcome.status === 'solved' ? 1 : 0,
    checks: outcome.results.map((r) => `${r.id}=${r.verdict}`).join(' '),
    reason: outcome.reason ?? '',
  };
}

function csvCell(value: string | number): string {
  const s = String(value);
  // A leading = + - @ would be read as a formula by spreadsheets.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The gradebook as CSV (one row per student and lab). */
export function renderCsv(rows: GradeRow[]): string {
  const head = ['student', 'lab', 'status', 'score', 'checks', 'reason'];
  return `${[head, ...rows.map((r) => [r.student, r.lab, r.status, r.score, r.checks, r.reason])]
    .map((cells) => cells.map(csvCell).join(','))
    .join('\n')}\n`;
}

/** The HTML summary: one row per student, one column per lab, and the total. */
export function renderHtml(rows: GradeRow[], labs: string[]): string {
  const students = [...new Set(rows.map((r) => r.student))];
  const cell = (s: string, l: string): string => {
    const r = rows.find((x) => x.student === s && x.lab === l);
    if (!r) return '<td>-</td>';
    return `<td class="${r.status}" title="${html(r.reason || r.checks)}">${html(r.status)}</td>`;
  };
  const body = students
    .map((s) => {
      const total = rows.filter((r) => r.student === s).reduce((n, r) => n + r.score, 0);
      return `<tr><th>${html(s)}</th>${labs.map((l) => cell(s, l)).join('')}<td>${total}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gradebook</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font-family:sans-serif}td,th{padding:4px 8px;border:1px solid #ccc}.solved{background:#cfc}.unsolved{background:#fdd}.error{background:#fc9}.missing{color:#999}</style>
</head><body><h1>Gradebook</h1>
<table><tr><th>student</th>${labs.map((l) => `<th>${html(l)}</th>`).join('')}<th>solved</th></tr>
${body}
</table></body></html>
`;
}

/** Runs `grade` and returns its exit code. */
export async function runGradeCommand(argv: string[], io: CliIo): Promise<number> {
  const {
    values: v,
    positionals,
    help,
  } = parseCommandArgs(
    'grade',
    argv,
    {
      labs: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      deadline: { type: 'string' },
      out: { type: 'string' },
    },
    1,
  );
  if (help) {
    io.stdout(GRADE_HELP);
    return 0;
  }
  if (!positionals[0]) throw new UsageError('grade needs the folder of the students’ folders', { command: 'grade' });
  const root = path.resolve(io.cwd, positionals[0]);
  if (!existsSync(root)) throw new UsageError(`${root} does not exist`, { command: 'grade' });
  const concurrency = intFlag(v.concurrency, '--concurrency', 2, { min: 1, max: 16 });
  const checkTimeoutMs = intFlag(v.timeout, '--timeout', 20_000, { min: 1 });
  const deadlineMs = intFlag(v.deadline, '--deadline', 120_000, { min: 1 });
  const outDir = path.resolve(io.cwd, v.out ?? 'gradebook');
  const assigned = listFlag(v.labs);
  const allLabs = await loadLabs();
  const assignedLabs = assigned.length ? await Promise.all(assigned.map((id) => findLab(id))) : undefined;

  const students = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const items: Array<{ student: string; lab: Lab }> = [];
  for (const student of students) {
    for (const lab of assignedLabs ?? (await labsIn(path.join(root, student), allLabs))) items.push({ student, lab });
  }
  io.stderr(
    `login-harness: grading ${students.length} students, ${items.length} submissions, ${concurrency} at a time\n`,
  );
  const rows = await pool(items, concurrency, async ({ student, lab }) => {
    const row = await gradeOne(student, path.join(root, student), lab, { checkTimeoutMs, deadlineMs });
    io.stderr(`${row.status.padEnd(9)} ${student} ${lab.id}${row.reason ? ` (${row.reason})` : ''}\n`);
    return row;
  });
  const labIds = [...new Set(items.map((i) => i.lab.id))];
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'gradebook.csv'), renderCsv(rows));
  await writeFile(
    path.join(outDir, 'gradebook.json'),
    `${JSON.stringify({ gradedAt: new Date().toISOString(), labs: labIds, rows }, null, 2)}\n`,
  );
  await writeFile(path.join(outDir, 'gradebook.html'), renderHtml(rows, labIds));
  const solved = rows.filter((r) => r.status === 'solved').length;
  io.stdout(
    `Graded ${rows.length} submissions of ${students.length} students: ${solved} solved, ` +
      `${rows.filter((r) => r.status === 'unsolved').length} unsolved, ${rows.filter((r) => r.status === 'error').length} error, ` +
      `${rows.filter((r) => r.status === 'missing').length} missing.\nGradebook: ${path.join(outDir, 'gradebook.csv')}, gradebook.json, gradebook.html\n`,
  );
  return 0;
}
