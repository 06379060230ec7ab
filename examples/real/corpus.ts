/**
 * The corpus of real integrations (`examples/real/`): each folder is an application built on a public
 * library as its documentation shows, with a manifest (`target.json`) and the verdicts the
 * specifications give it under each policy (`expected.json`). This module finds the entries, reads
 * and validates their expectations, and compares a report with them; `corpus.test.ts` audits every
 * entry and fails on any difference.
 *
 * `expected.json` lists, per policy, every check whose verdict is not `pass`, each with one line of
 * justification and the citation that justifies it; a check that is not listed is expected to pass.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { POLICY_NAMES, type PolicyName, type Report } from '../../reports/model.js';
import { clientChecks } from '../../scenarios/catalog.js';

/** The corpus folder. */
export const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * A citation: a section key in the form of scenarios/refs.ts (`OIDC-3.1.3.7-6`, `RFC9700-4.7.1`, a FAPI
 * 2.0 Security Profile section `FAPI2-SP-5.3.3.2`) or a documentation key (`OWASP-SESSION`, `CWE-384`).
 * Checked for form only: an expectation may cite a section the table does not list yet.
 */
const CitationSchema = z
  .string()
  .regex(
    /^(RFC\d{4}|OIDC|OIDC-DISCOVERY|FAPI2-SP|CWE|OWASP)-[A-Za-z0-9.-]+$/,
    'a citation key such as OIDC-3.1.3.7-6, RFC9700-4.7.1 or FAPI2-SP-5.3.3.2',
  );

const NonPassSchema = z.strictObject({
  verdict: z.enum(['fail', 'warn', 'not-applicable', 'error']),
  /** One line: why the specification gives this verdict for this library's set-up. */
  why: z.string().min(10).max(400),
  ref: CitationSchema,
});

/** Check ids of the client catalog, for validation. */
const CHECK_IDS = new Set(clientChecks.map((c) => c.id));

const PolicyExpectationSchema = z.record(z.string(), NonPassSchema).superRefine((entries, ctx) => {
  for (const id of Object.keys(entries)) {
    if (!CHECK_IDS.has(id)) ctx.addIssue({ code: 'custom', path: [id], message: `${id} is not a client check id` });
  }
});

/** `expected.json` of a corpus entry. */
export const ExpectedSchema = z.strictObject({
  /** The manifest's `name`. */
  target: z.string().min(1),
  /** The library and the version the entry pins, e.g. `openid-client 6.9.0`. */
  library: z.string().min(1),
  seed: z.number().int(),
  policies: z.strictObject({
    rfc9700: PolicyExpectationSchema,
    strict: PolicyExpectationSchema,
    fapi2: PolicyExpectationSchema,
  }),
});
/** A validated `expected.json`. */
export type Expected = z.infer<typeof ExpectedSchema>;
/** A verdict as a report gives it. */
export type Verdict = Report['results'][number]['verdict'];

/** A corpus entry. */
export interface CorpusEntry {
  /** Folder name under examples/real/. */
  folder: string;
  manifestPath: string;
  kind: 'web' | 'spa' | 'driver';
  expected: Expected;
}

const ManifestHeadSchema = z.looseObject({ name: z.string(), kind: z.enum(['web', 'spa', 'driver']) });

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/**
 * Reads every entry folder (not starting with `_` or `.`) under `dir`. A folder without `target.json`
 * or `expected.json`, an invalid expectation file, or one naming another target, is a problem (the
 * entry is left out and the caller fails).
 */
export async function discoverCorpus(
  dir: string = CORPUS_DIR,
): Promise<{ entries: CorpusEntry[]; problems: string[] }> {
  const entries: CorpusEntry[] = [];
  const problems: string[] = [];
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => e.name)
    .sort();
  for (const folder of folders) {
    const manifestPath = path.join(dir, folder, 'target.json');
    const expectedPath = path.join(dir, folder, 'expected.json');
    if (!existsSync(manifestPath) || !existsSync(expectedPath)) {
      problems.push(`${folder}: needs both target.json and expected.json`);
      continue;
    }
    try {
      const head = ManifestHeadSchema.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
      if (!head.success) {
        problems.push(`${folder}/target.json: ${issuesText(head.error)}`);
        continue;
      }
      const expected = ExpectedSchema.safeParse(JSON.parse(await readFile(expectedPath, 'utf8')));
      if (!expected.success) {
        problems.push(`${folder}/expected.json: ${issuesText(expected.error)}`);
        continue;
      }
      if (expected.data.target !== head.data.name) {
        problems.push(`${folder}/expected.json: target ${expected.data.target} but the manifest is ${head.data.name}`);
        continue;
      }
      entries.push({ folder, manifestPath, kind: head.data.kind, expected: expected.data });
    } catch (err) {
      problems.push(`${folder}: ${(err as Error).message}`);
    }
  }
  return { entries, problems };
}

/** The part of a report the comparison reads (a full `Report` fits). */
export interface ComparedReport {
  status: Report['status'];
  results: Array<{
    id: string;
    verdict: Verdict;
    summary: string;
    /** The judge's verdicts under every policy (absent on a result the judge did not decide). */
    judgement?: { verdicts: Record<PolicyName, Verdict> };
  }>;
}

/**
 * The policies a report can be compared under: all three once its results carry the judge's
 * verdicts (`judgement.verdicts`); before that, only the default policy, whose verdict is `verdict`.
 */
export function comparablePolicies(report: ComparedReport): PolicyName[] {
  return report.results.some((r) => r.judgement) ? [...POLICY_NAMES] : ['rfc9700'];
}

/** A result's verdict under `policy`: the judge's, or `verdict` for a result the judge did not decide. */
export function verdictUnder(result: ComparedReport['results'][number], policy: PolicyName): Verdict {
  return result.judgement?.verdicts[policy] ?? result.verdict;
}

/**
 * Every difference between a report and the expectations, one line each naming the policy, the check,
 * what was expected (with its justification) and what the report says. Both directions count: an
 * unexpected non-pass, and an expected non-pass that passed. A listed check the run did not report,
 * and a run that did not complete, are differences too.
 */
export function compareWithExpected(report: ComparedReport, expected: Expected): string[] {
  const out: string[] = [];
  if (report.status !== 'complete') out.push(`run status ${report.status}`);
  const reported = new Set(report.results.map((r) => r.id));
  for (const policy of comparablePolicies(report)) {
    const want = expected.policies[policy];
    for (const r of report.results) {
      const got = verdictUnder(r, policy);
      const exp = want[r.id];
      const expVerdict: Verdict = exp?.verdict ?? 'pass';
      if (got === expVerdict) continue;
      const because = exp ? ` (${exp.ref}: ${exp.why})` : '';
      out.push(`${policy} ${r.id}: expected ${expVerdict}${because}, got ${got}: ${r.summary}`);
    }
    for (const id of Object.keys(want)) {
      if (!reported.has(id)) out.push(`${policy} ${id}: expected ${want[id].verdict}, but the run did not report it`);
    }
  }
  return out;
}

/** Number of `fail` verdicts per policy that an expectation file records. */
export function expectedFailCounts(expected: Expected): Record<PolicyName, number> {
  const count = (policy: PolicyName): number =>
    Object.values(expected.policies[policy]).filter((e) => e.verdict === 'fail').length;
  return { rfc9700: count('rfc9700'), strict: count('strict'), fapi2: count('fapi2') };
}
