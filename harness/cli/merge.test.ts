import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReportSchema } from '../../reports/model.js';
import { selectShard } from '../../reports/shard.js';
import { makeReport, makeResult } from '../../reports/testing/fixtures.js';
import { clientChecks } from '../../scenarios/catalog.js';
import { runDelegated } from './delegate.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lh-merge-'));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('login-harness merge', () => {
  it('lists the merged results in catalog order, as the unsharded audit does', async () => {
    const ids = clientChecks.map((c) => c.id);
    const inputs: string[] = [];
    for (let index = 1; index <= 3; index++) {
      // Each shard's results in reverse, so only the catalog order can put them back.
      const mine = selectShard(ids, { index, count: 3 }).reverse();
      const report = makeReport({ results: mine.map((id) => makeResult({ id })), shard: { index, count: 3 } });
      inputs.push(join(dir, `shard-${index}.json`));
      await writeFile(inputs.at(-1)!, JSON.stringify(report));
    }
    const out = join(dir, 'merged.json');
    expect(await runDelegated('merge', [out, ...inputs.reverse()])).toBe(0);
    const merged = ReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(merged.results.map((r) => r.id)).toEqual(ids);
  });
});
