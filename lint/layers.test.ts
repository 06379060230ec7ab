import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const eslint = new ESLint({ cwd: ROOT });

/** The import-table problems ESLint reports for `code` planted at `file` (relative to the root). */
async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'layers/import-table').map((m) => m.message);
}

describe('the import table of docs/ARCHITECTURE.md, enforced by the lint config', () => {
  it.each([
    [
      'harness/runner/planted.ts',
      "import { clientChecks } from '../../scenarios/catalog.js';",
      'engine may not import catalog',
    ],
    ['harness/planted.ts', "export type { RefKey } from '../scenarios/refs.js';", 'engine may not import catalog'],
    ['harness/provider/planted.ts', "const m = await import('../cli/catalog.js');", 'engine may not import cli'],
    ['scenarios/client/planted.ts', "import { main } from '../../harness/cli/main.js';", 'catalog may not import cli'],
    [
      'mock-idp/endpoints/planted.ts',
      "import type { Session } from '../../harness/types.js';",
      'mock-idp may not import engine',
    ],
    ['reports/planted.ts', "import type { Fault } from '../mock-idp/types.js';", 'reports may not import mock-idp'],
    ['core/planted.ts', "import type { Report } from '../reports/model.js';", 'core may not import reports'],
  ])('fails a planted upward import in %s', async (file, code, message) => {
    const problems = await layerProblems(file, `${code}\nexport const planted = 1;\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it.each([
    ['harness/cli/planted.ts', "import { clientChecks } from '../../scenarios/catalog.js';"],
    ['scenarios/client/planted.ts', "import type { Session } from '../../harness/types.js';"],
    ['harness/runner/planted.ts', "import { LoginHarnessError } from '../../core/errors.js';"],
    ['harness/runner/planted.test.ts', "import { clientChecks } from '../../scenarios/catalog.js';"],
    ['scripts/planted.ts', "import { clientChecks } from '../scenarios/catalog.js';"],
  ])('accepts an import the table allows in %s', async (file, code) => {
    expect(await layerProblems(file, `${code}\nexport const planted = 1;\n`)).toEqual([]);
  });
});
