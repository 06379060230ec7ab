/**
 * `login-harness lab list | start ID [DIR] | check [ID] | hint ID | progress`: the student's side of the
 * coursework. What a student started, the hints they took and what they solved are kept in
 * `.login-harness-labs.json` in the folder they work in (the working directory).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseCommandArgs, UsageError } from '../../core/args.js';
import type { CliIo } from './io.js';
import { auditLab, copyLab, findLab, labEntry, labHints, labManifestIn, loadLabs, section, type Lab } from './labs.js';

export const LAB_HELP = `Usage: login-harness lab <list | start ID [DIR] | check [ID] | hint ID | progress>

Coursework with the vulnerable labs: each lab is a web client with one flaw that one or more checks find.

  list              the labs, the checks each one fails, and which you have solved
  start ID [DIR]    copy lab ID into DIR (default ./ID) and print the exercise
  check [ID]        audit your copy for the lab's checks: exit 0 when fixed, 1 with the findings
                    (without ID: the one lab you have started and not solved)
  hint ID           the next of the lab's hints (the last one is the remediation)
  progress          what you have started, the hints you took, and what is solved

Progress is kept in .login-harness-labs.json in the working directory.

Exit codes: 0 done (check: the lab is fixed), 1 check: not fixed yet or could not be judged, 2 usage error.
`;

/** The progress file name, in the student's working directory. */
export const PROGRESS_FILE = '.login-harness-labs.json';

const ProgressSchema = z.object({
  version: z.literal(1),
  labs: z.record(
    z.string(),
    z.object({
      dir: z.string(),
      startedAt: z.string(),
      hintsTaken: z.number().int().min(0),
      solvedAt: z.string().optional(),
    }),
  ),
});
type Progress = z.infer<typeof ProgressSchema>;

async function readProgress(cwd: string): Promise<Progress> {
  const file = path.join(cwd, PROGRESS_FILE);
  if (!existsSync(file)) return { version: 1, labs: {} };
  const parsed = ProgressSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new UsageError(`${file} is not a lab progress file; move it away to start afresh`);
  return parsed.data;
}

async function writeProgress(cwd: string, progress: Progress): Promise<void> {
  await writeFile(path.join(cwd, PROGRESS_FILE), `${JSON.stringify(progress, null, 2)}\n`);
}

/** Runs `lab` and returns its exit code. */
export async function runLabCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, help } = parseCommandArgs('lab', argv, {}, 3);
  const [sub, id, dir] = positionals;
  if (help || sub === undefined) {
    (help ? io.stdout : io.stderr)(LAB_HELP);
    return help ? 0 : 2;
  }
  switch (sub) {
    case 'list':
      return list(io);
    case 'start':
      if (!id) throw new UsageError('lab start needs a lab id (login-harness lab list)', { command: 'lab' });
      return start(io, await findLab(id), dir);
    case 'check':
      return check(io, id);
    case 'hint':
      if (!id) throw new UsageError('lab hint needs a lab id', { command: 'lab' });
      return hint(io, await findLab(id));
    case 'progress':
      return progressCommand(io);
    default:
      throw new UsageError(`unknown lab command ${JSON.stringify(sub)}`, { command: 'lab' });
  }
}

async function list(io: CliIo): Promise<number> {
  const [labs, progress] = await Promise.all([loadLabs(), readProgress(io.cwd)]);
  const width = Math.max(...labs.map((l) => l.id.length));
  for (const l of labs) {
    const state = progress.labs[l.id]?.solvedAt ? 'solved ' : progress.labs[l.id] ? 'started' : '       ';
    io.stdout(`${state}  ${l.id.padEnd(width)}  ${l.checks.join(', ')}  ${l.description}\n`);
  }
  return 0;
}

async function start(io: CliIo, lab: Lab, dir: string | undefined): Promise<number> {
  const target = path.resolve(io.cwd, dir ?? lab.id);
  const manifest = await copyLab(lab.id, target);
  const progress = await readProgress(io.cwd);
  progress.labs[lab.id] = {
    dir: path.relative(io.cwd, target) || '.',
    startedAt: new Date().toISOString(),
    hintsTaken: 0,
  };
  await writeProgress(io.cwd, progress);
  const readme = await readFile(path.join(path.dirname(manifest), 'README.md'), 'utf8');
  const title = /^# (.+)$/m.exec(readme)?.[1] ?? lab.id;
  io.stdout(
    `${title}\nChecks: ${lab.checks.join(', ')}\n\n` +
      `${section(readme, 'What this client does')}\n\n${withoutDetails(section(readme, 'Your task'))}\n\n` +
      `Your copy: ${path.relative(io.cwd, path.dirname(manifest)) || '.'} (edit ${labEntry(path.dirname(manifest))} there)\n` +
      `Check it:  login-harness lab check ${lab.id}\nA hint:    login-harness lab hint ${lab.id}\n`,
  );
  return 0;
}

/** Text without its `<details>` blocks: the hints are handed out one by one by `lab hint`. */
function withoutDetails(markdown: string): string {
  return markdown.replace(/\n*<details>[\s\S]*?<\/details>\n*/g, '\n').trim();
}

async function check(io: CliIo, id: string | undefined): Promise<number> {
  const progress = await readProgress(io.cwd);
  let labId = id;
  if (labId === undefined) {
    const open = Object.entries(progress.labs).filter(([, p]) => !p.solvedAt);
    if (open.length !== 1)
      throw new UsageError(
        open.length === 0
          ? 'no lab in progress here: login-harness lab start ID'
          : 'several labs in progress: name one',
        { command: 'lab' },
      );
    labId = open[0][0];
  }
  const lab = await findLab(labId);
  const entry = progress.labs[lab.id];
  if (!entry) throw new UsageError(`lab ${lab.id} was not started here: login-harness lab start ${lab.id}`);
  const manifest = labManifestIn(path.resolve(io.cwd, entry.dir), lab.id);
  io.stderr(`login-harness: checking ${lab.id} (${lab.checks.join(', ')}) ...\n`);
  const outcome = await auditLab(manifest, lab);
  if (outcome.status === 'solved') {
    progress.labs[lab.id] = { ...entry, solvedAt: entry.solvedAt ?? new Date().toISOString() };
    await writeProgress(io.cwd, progress);
    io.stdout(`Fixed: ${lab.checks.join(', ')} pass on your copy of ${lab.id}.\n`);
    return 0;
  }
  if (outcome.status === 'error') io.stdout(`Could not judge your copy of ${lab.id}: ${outcome.reason ?? 'unknown'}\n`);
  for (const r of outcome.results.filter((x) => x.verdict !== 'pass')) {
    io.stdout(
      `\n${r.verdict.toUpperCase()} ${r.id} (${r.severity}): ${r.summary}\n` +
        r.observations
          .slice(0, 3)
          .map((o) => `  observed: ${o.text}\n`)
          .join('') +
        `  what must hold: ${r.must}\n  why it matters: ${r.rationale}\n`,
    );
  }
  io.stdout(`\nNot fixed yet. A hint: login-harness lab hint ${lab.id}\n`);
  return 1;
}

async function hint(io: CliIo, lab: Lab): Promise<number> {
  const [hints, progress] = await Promise.all([labHints(lab.id), readProgress(io.cwd)]);
  const entry = progress.labs[lab.id] ?? { dir: lab.id, startedAt: new Date().toISOString(), hintsTaken: 0 };
  const next = Math.min(entry.hintsTaken, hints.length - 1);
  io.stdout(`Hint ${next + 1} of ${hints.length} for ${lab.id}:\n${hints[next]}\n`);
  progress.labs[lab.id] = { ...entry, hintsTaken: Math.max(entry.hintsTaken, next + 1) };
  await writeProgress(io.cwd, progress);
  return 0;
}

async function progressCommand(io: CliIo): Promise<number> {
  const [labs, progress] = await Promise.all([loadLabs(), readProgress(io.cwd)]);
  const started = labs.filter((l) => progress.labs[l.id]);
  const solved = started.filter((l) => progress.labs[l.id].solvedAt);
  io.stdout(`Solved ${solved.length} of ${labs.length} labs (${started.length} started).\n`);
  for (const l of started) {
    const p = progress.labs[l.id];
    io.stdout(
      `  ${p.solvedAt ? 'solved ' : 'open   '} ${l.id}  (${p.dir}; hints taken: ${p.hintsTaken}` +
        `${p.solvedAt ? `; solved ${p.solvedAt.slice(0, 10)}` : ''})\n`,
    );
  }
  return 0;
}
