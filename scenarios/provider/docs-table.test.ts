import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { providerChecks } from './catalog.js';
import { renderProviderCheckTable, TABLE_BEGIN, TABLE_END } from './docs-table.js';

const DOC = new URL('../../docs/provider-audit.md', import.meta.url);

describe('docs/provider-audit.md', () => {
  it('carries the check table exactly as generated from the catalog (LH_UPDATE_DOCS=1 rewrites it)', async () => {
    const text = await readFile(DOC, 'utf8');
    const start = text.indexOf(TABLE_BEGIN);
    const end = text.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const current = text.slice(start, end + TABLE_END.length);
    const generated = renderProviderCheckTable(providerChecks);
    if (process.env.LH_UPDATE_DOCS === '1' && current !== generated) {
      await writeFile(DOC, text.replace(current, generated));
      return;
    }
    expect(current).toBe(generated);
  });
});
