/**
 * The redaction guarantee end to end: a real audit of the bundled reference web client, its reports
 * written in every format (complete, and partial after an interruption), and every file scanned for every code, token and
 * secret the provider issued during the run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientAudit } from '../harness/runner/client-audit.js';
import type { MockIdp } from '../mock-idp/types.js';
import { clientChecks } from '../scenarios/catalog.js';
import { clientCatalogOf } from '../harness/cli/catalog.js';
import type { ClientCheck } from '../scenarios/types.js';
import type { Report, RunnerEvent } from './model.js';
import { REPORT_FORMATS, writeReports } from './output.js';

/** The issued values a file must not contain, as written and URL-encoded (TARGETS.md §2). */
function spellings(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value)])];
}

function leaks(text: string, issued: readonly string[]): string[] {
  return issued.filter((v) => spellings(v).some((s) => text.includes(s)));
}

let dir: string;
let report: Report;
let files: string[];
const issued = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lh-redaction-'));
  const idps = new Set<MockIdp>();
  // Every check passes through here, so the providers of discovery-fault checks are seen too.
  const catalog: ClientCheck[] = clientChecks
    .filter((c) => c.agent === 'default')
    .map((c) => ({ ...c, run: (ctx) => (idps.add(ctx.idp), c.run(ctx)) }));
  const options = { seed: 3, concurrency: 4, checkTimeoutMs: 30_000, catalog: clientCatalogOf(catalog) };
  // A run interrupted after five checks, as by Ctrl-C: its partial report is written as the CLI writes it.
  const interrupt = new AbortController();
  let ended = 0;
  const partial = await runClientAudit({
    ...options,
    signal: interrupt.signal,
    onEvent(e: RunnerEvent) {
      if (e.type === 'check-end' && ++ended === 5) interrupt.abort(new Error('interrupted by SIGINT'));
    },
  });
  expect(partial.status).toBe('interrupted');
  report = await runClientAudit(options);
  files = [
    ...(await writeReports(report, { formats: REPORT_FORMATS, outDir: join(dir, 'complete') })),
    ...(await writeReports(partial, { formats: REPORT_FORMATS, outDir: join(dir, 'partial') })),
  ];
  for (const idp of idps) for (const a of idp.journal.secrets()) if (a.value.length >= 8) issued.add(a.value);
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('redaction of a full audit', () => {
  it('ran the checks and the provider issued codes, tokens and a client secret', () => {
    expect(report.results.length).toBeGreaterThan(20);
    expect(report.results.every((r) => r.transcript.length > 0 || r.verdict !== 'pass')).toBe(true);
    expect(issued.size).toBeGreaterThan(50);
    expect(files).toHaveLength(REPORT_FORMATS.length * 2);
  });

  it('no written report contains a code, token or secret the provider issued', async () => {
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(leaks(text, [...issued]), file).toEqual([]);
    }
  });

  it('the scan finds an issued value when one is present', async () => {
    const [value] = issued;
    const text = `${await readFile(files[0], 'utf8')}\n${encodeURIComponent(value)}`;
    expect(leaks(text, [...issued])).toEqual([value]);
  });
});
