import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isExpired, loadBaseline, parseBaseline } from './baseline.js';
import { UsageError } from './errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lh-baseline-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = {
  check: 'leak.logs',
  target: 'acme-invoicing',
  justification: 'scrubbing ships in 4.2',
  expires: '2027-01-31',
};

describe('baseline file', () => {
  it('loads a valid version 1 baseline', async () => {
    const path = join(dir, 'baseline.json');
    await writeFile(path, JSON.stringify({ version: 1, entries: [entry] }));
    expect(await loadBaseline(path)).toEqual({ version: 1, entries: [entry] });
  });

  it('names the JSON path of an invalid field', async () => {
    const path = join(dir, 'baseline.json');
    await writeFile(path, JSON.stringify({ version: 1, entries: [entry, { ...entry, expires: '31.01.2027' }] }));
    await expect(loadBaseline(path)).rejects.toThrow(/\$\.entries\[1\]\.expires: expected a date as YYYY-MM-DD/);
  });

  it('refuses unknown fields, a missing justification and another version', () => {
    expect(() => parseBaseline({ version: 1, entries: [{ ...entry, note: 'x' }] })).toThrow(/\$\.entries\[0\]/);
    expect(() => parseBaseline({ version: 1, entries: [{ ...entry, justification: '  ' }] })).toThrow(
      /\$\.entries\[0\]\.justification: say why/,
    );
    expect(() => parseBaseline({ version: 2, entries: [] })).toThrow(/\$\.version/);
  });

  it('takes the policy an entry was made under, and refuses an unknown one naming the path and the valid ones', () => {
    expect(parseBaseline({ version: 1, entries: [{ ...entry, policy: 'strict' }] }).entries[0].policy).toBe('strict');
    expect(() => parseBaseline({ version: 1, entries: [{ ...entry, policy: 'lax' }] })).toThrow(
      /\$\.entries\[0\]\.policy: .*"rfc9700".*"strict".*"fapi2"/,
    );
  });

  it('refuses an impossible date', () => {
    expect(() => parseBaseline({ version: 1, entries: [{ ...entry, expires: '2027-02-30' }] })).toThrow(/expires/);
  });

  it('reports a file that is not JSON or missing as a usage error naming the file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{ version: 1');
    const err = await loadBaseline(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('invalid-baseline');
    expect((err as UsageError).message).toContain(`${path}: baseline is not JSON`);
    await expect(loadBaseline(join(dir, 'missing.json'))).rejects.toThrow(/cannot read baseline/);
  });

  it('counts an entry through its expiry day (UTC) and not after', () => {
    expect(isExpired(entry, new Date('2027-01-31T23:59:59.999Z'))).toBe(false);
    expect(isExpired(entry, new Date('2027-02-01T00:00:00.000Z'))).toBe(true);
  });
});
