import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.js';
import { formatExplanation } from './list-explain.js';

describe('the catalog as the CLI shows it', () => {
  it('explains every client and provider check with resolvable reference links', async () => {
    const entries = await loadCatalog();
    expect(entries.some((e) => e.target === 'client')).toBe(true);
    expect(entries.some((e) => e.target === 'provider')).toBe(true);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    for (const e of entries) {
      const text = formatExplanation(e);
      expect(text.startsWith(`${e.id} — `)).toBe(true);
      expect(text).toMatch(/^ {2}.+: https:\/\//m);
    }
  });
});
