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

  it('says which checks drive Chromium, and when a web target needs it', async () => {
    const entries = await loadCatalog();
    const storage = entries.find((e) => e.id === 'leak.storage')!;
    expect(formatExplanation(storage)).toContain(
      'Applies to:  web, spa targets (driven in Chromium; a web target only when a page of its login can run script)',
    );
    const replay = entries.find((e) => e.id === 'state.replay')!;
    expect(formatExplanation(replay)).not.toContain('Chromium');
    const always = formatExplanation({ ...storage, browserOnDemand: undefined });
    expect(always).toContain('Applies to:  web, spa targets (driven in Chromium)\n');
  });
});
