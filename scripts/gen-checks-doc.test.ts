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
  TABLE_BEGIN,
  TABLE_END,
  generatedDocs,
  renderChecksDoc,
  renderProviderCheckTable,
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
  for (const p of [CHECKS_DOC_PATH, PROVIDER_DOC_PATH, 'examples/labs/labs.json']) {
    cpSync(join(ROOT, p), join(root, p));
  }
  return root;
}

describe('the check documentation generator', () => {
  it('finds docs/checks.md and the provider check table current (npm run docs:checks after changing a catalog)', () => {
    const docs = generatedDocs();
    expect(docs.map((d) => d.path)).toEqual([CHECKS_DOC_PATH, PROVIDER_DOC_PATH]);
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
