import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { faultTables } from './fault-table.js';

describe('fault documentation', () => {
  it('the README tables are the ones generated from the fault docs', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const tables = faultTables();
    expect(readme).toContain(tables.faults);
    expect(readme).toContain(tables.discoveryFaults);
    expect(readme).toContain(tables.permissiveModes);
  });
});
