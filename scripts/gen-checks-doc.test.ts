import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { clientChecks } from '../scenarios/catalog.js';
import { providerChecks } from '../scenarios/provider/catalog.js';
import {
  CHECKS_DOC_PATH,
  PROVIDER_DOC_PATH,
  REQUIREMENTS_BEGIN,
  REQUIREMENTS_END,
  TABLE_BEGIN,
  TABLE_END,
  VERDICTS_DOC_PATH,
  generatedDocs,
  renderChecksDoc,
  renderProviderCheckTable,
  renderRequirementTables,
  writeDocs,
} from './gen-checks-doc.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** A scratch copy of the generated documents (and the lab index the client document reads). */
function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'lh-docs-'));
  temps.push(root);
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, 'examples/labs'), { recursive: true });
  for (const p of [CHECKS_DOC_PATH, PROVIDER_DOC_PATH, VERDICTS_DOC_PATH, 'examples/labs/labs.json']) {
    cpSync(join(ROOT, p), join(root, p));
  }
  return root;
}

describe('the check documentation generator', () => {
  it('finds docs/checks.md, the provider check table and the requirement tables current (npm run docs:checks after changing a catalog)', () => {
    const docs = generatedDocs();
    expect(docs.map((d) => d.path)).toEqual([CHECKS_DOC_PATH, PROVIDER_DOC_PATH, VERDICTS_DOC_PATH]);
    for (const d of docs) expect(d.current, d.path).toBe(d.wanted);
    expect(writeDocs({ check: true })).toEqual([]);
  });

  it('reports a stale client document and a stale provider table, and rewrites only what is stale', () => {
    const root = scratchRoot();
    writeFileSync(join(root, CHECKS_DOC_PATH), 'edited by hand\n');
    const provider = readFileSync(join(root, PROVIDER_DOC_PATH), 'utf8');
    writeFileSync(join(root, PROVIDER_DOC_PATH), provider.replace('| `provider.pkce.required` |', '| `pkce.typo` |'));
    expect(writeDocs({ check: true, root })).toEqual([CHECKS_DOC_PATH, PROVIDER_DOC_PATH]);
    // --check leaves the files as they were.
    expect(readFileSync(join(root, CHECKS_DOC_PATH), 'utf8')).toBe('edited by hand\n');

    expect(writeDocs({ root })).toEqual([CHECKS_DOC_PATH, PROVIDER_DOC_PATH]);
    expect(readFileSync(join(root, CHECKS_DOC_PATH), 'utf8')).toBe(readFileSync(join(ROOT, CHECKS_DOC_PATH), 'utf8'));
    expect(readFileSync(join(root, PROVIDER_DOC_PATH), 'utf8')).toBe(provider);
    expect(writeDocs({ check: true, root })).toEqual([]);
  });

  it('reports the requirement tables of docs/verdicts.md stale when a requirement changes, and rewrites only them', () => {
    const root = scratchRoot();
    const verdicts = readFileSync(join(root, VERDICTS_DOC_PATH), 'utf8');
    // A requirement whose level was edited in the document, not in the check.
    const edited = verdicts.replace(/(\| `state\.entropy` \| [^|]+\| )MUST( \|)/, '$1SHOULD$2');
    expect(edited).not.toBe(verdicts);
    writeFileSync(join(root, VERDICTS_DOC_PATH), `${edited}\nA paragraph added by hand.\n`);
    expect(writeDocs({ check: true, root })).toEqual([VERDICTS_DOC_PATH]);
    expect(writeDocs({ root })).toEqual([VERDICTS_DOC_PATH]);
    expect(readFileSync(join(root, VERDICTS_DOC_PATH), 'utf8')).toBe(`${verdicts}\nA paragraph added by hand.\n`);
  });

  it('refuses a verdicts guide without the requirement table markers', () => {
    const root = scratchRoot();
    writeFileSync(join(root, VERDICTS_DOC_PATH), '# Verdicts\n\nNo table here.\n');
    expect(() => writeDocs({ check: true, root })).toThrow(/docs\/verdicts\.md lacks the markers/);
  });

  it("tabulates every check's requirement, level, section, conditions, compensating controls and FAPI 2.0 rule", () => {
    const tables = renderRequirementTables();
    expect(tables.startsWith(REQUIREMENTS_BEGIN)).toBe(true);
    expect(tables.endsWith(REQUIREMENTS_END)).toBe(true);
    for (const c of [...clientChecks, ...providerChecks]) {
      const row = tables.split('\n').find((l) => l.startsWith(`| \`${c.id}\` |`));
      expect(row, c.id).toBeDefined();
      expect(row).toContain(` | ${c.requirement.level} | `);
      for (const a of c.requirement.allowances ?? []) expect(row).toContain(`*${a.name}*`);
      for (const id of (c.requirement.allowances ?? []).flatMap((a) => a.controls ?? []))
        expect(row).toContain(`\`${id}\``);
      if (c.requirement.fapi2) expect(row).toContain(`${c.requirement.fapi2.level}, [FAPI 2.0 Security Profile`);
    }
    const signature = tables.split('\n').find((l) => l.startsWith('| `id-token.signature` |')) ?? '';
    expect(signature).toContain(
      '*The ID token came directly from the token endpoint* ([OpenID Connect Core §3.1.3.7, step 6](https://openid.net/specs/openid-connect-core-1_0.html#section-3.1.3.7))',
    );
    expect(signature).toContain('[`flow.code-only`](checks.md#flowcode-only)');
  });

  it('keeps the hand-written prose of the provider guide around the generated table', () => {
    const root = scratchRoot();
    const provider = readFileSync(join(root, PROVIDER_DOC_PATH), 'utf8');
    writeFileSync(join(root, PROVIDER_DOC_PATH), `${provider}\nA paragraph added by hand.\n`);
    expect(writeDocs({ check: true, root })).toEqual([]);
  });

  it('refuses a provider guide without the table markers instead of dropping the table', () => {
    const root = scratchRoot();
    writeFileSync(join(root, PROVIDER_DOC_PATH), '# Provider audit\n\nNo table here.\n');
    expect(() => writeDocs({ check: true, root })).toThrow(/lacks the markers/);
  });

  it('documents every client check with its references as links, naming the step of a numbered rule', () => {
    const doc = renderChecksDoc();
    for (const c of clientChecks) expect(doc).toContain(`## ${c.id}\n`);
    expect(doc).toContain('(https://www.rfc-editor.org/rfc/rfc7636#section-4.2)');
    expect(doc).toContain(
      '[OpenID Connect Core §3.1.3.7, step 6](https://openid.net/specs/openid-connect-core-1_0.html#section-3.1.3.7)',
    );
    expect(doc).toContain('`id-token.alg-none`');
  });

  it('renders one provider table row per provider check between the markers', () => {
    const table = renderProviderCheckTable();
    expect(table.startsWith(TABLE_BEGIN)).toBe(true);
    expect(table.endsWith(TABLE_END)).toBe(true);
    for (const c of providerChecks) expect(table).toContain(`| \`${c.id}\` |`);
    expect(table).toContain('[RFC 6749 §4.1.3, item 3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)');
  });
});
