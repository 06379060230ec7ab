import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkFault, checkOptions } from '../options-schema.js';
import { DISCOVERY_FAULTS, FAULTS, PERMISSIVE_MODES, type Fault } from './fault-catalog.js';
import { FaultRegistry } from './fault-registry.js';
import { faultTables } from './fault-table.js';

describe('fault documentation', () => {
  it('the README tables are the ones generated from the fault declarations', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const tables = faultTables();
    expect(readme).toContain(tables.faults);
    expect(readme).toContain(tables.discoveryFaults);
    expect(readme).toContain(tables.permissiveModes);
  });

  it('every fault, discovery fault and permissive mode is documented by a sentence and has a row', () => {
    const tables = faultTables();
    const groups = [
      [FAULTS, tables.faults],
      [DISCOVERY_FAULTS, tables.discoveryFaults],
      [PERMISSIVE_MODES, tables.permissiveModes],
    ] as const;
    for (const [declarations, table] of groups) {
      for (const [name, declaration] of Object.entries<{ doc: string }>(declarations)) {
        expect(declaration.doc.trim(), name).toMatch(/\S.*\.$/);
        expect(table, name).toContain(`| \`${name}\` |`);
      }
    }
  });

  it('lists a fault parameter with its optionality and its allowed values', () => {
    const rows = faultTables().faults.split('\n');
    expect(rows.find((r) => r.startsWith('| `callback.error` |'))).toContain(
      '`error` (string), `errorDescription?` (string)',
    );
    expect(rows.find((r) => r.startsWith('| `token.malformed` |'))).toContain(
      '`variant` (`no-access-token` \\| `wrong-token-type` \\| `not-json`)',
    );
  });
});

describe('fault checks derived from the declarations', () => {
  it('accepts every declared fault with its parameters', () => {
    const samples: Fault[] = [
      { name: 'callback.error', error: 'access_denied' },
      { name: 'token.malformed', variant: 'not-json' },
      { name: 'token.short-lived', expiresIn: 5 },
      { name: 'id-token.alg-none' },
      { name: 'userinfo.wrong-sub' },
    ];
    for (const fault of samples) expect(checkFault(fault)).toBe(fault);
  });

  it('refuses an undeclared fault, a missing parameter and a value outside the declared ones', () => {
    expect(() => checkFault({ name: 'callback.no-such-fault' } as unknown as Fault)).toThrow(
      /invalid fault: fault\.name/,
    );
    expect(() => checkFault({ name: 'callback.error' } as unknown as Fault)).toThrow(/fault\.error/);
    expect(() => checkFault({ name: 'token.malformed', variant: 'xml' } as unknown as Fault)).toThrow(/fault\.variant/);
    expect(() => checkFault({ name: 'token.short-lived', expiresIn: -1 } as unknown as Fault)).toThrow(
      /fault\.expiresIn/,
    );
  });

  it('refuses an undeclared permissive mode or discovery fault in the options', () => {
    expect(() => checkOptions({ permissive: ['codes-reusable', 'codes-forever'] })).toThrow(/options\.permissive\[1\]/);
    expect(() => checkOptions({ discoveryFaults: ['discovery.nothing'] })).toThrow(/options\.discoveryFaults\[0\]/);
    expect(() => checkOptions({ permissive: Object.keys(PERMISSIVE_MODES) })).not.toThrow();
  });

  it('hands a fault only to the point its declaration names', () => {
    const registry = new FaultRegistry();
    registry.arm('t', { name: 'id-token.wrong-iss' });
    registry.arm('t', { name: 'callback.state-missing' });
    expect(registry.at('t', 'ID token')?.name).toBe('id-token.wrong-iss');
    expect(registry.at('t', 'authorization response')?.name).toBe('callback.state-missing');
    expect(registry.at('t', 'userinfo')).toBeUndefined();
    expect(registry.at('other', 'ID token')).toBeUndefined();
    expect(registry.at(undefined, 'ID token')).toBeUndefined();
  });
});
