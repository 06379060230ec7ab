import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockIdp } from '../../mock-idp/types.js';
import { liveGroups } from '../target/registry.js';
import type { ResolvedTarget } from '../types.js';
import { CheckRunError } from './errors.js';
import { startTargetHandle } from './start-handle.js';
import { TargetInstance } from './target-instance.js';

const driverFixtures = path.join(import.meta.dirname, '..', 'agents', 'fixtures');

function driverTarget(script: string): ResolvedTarget {
  return {
    name: script,
    kind: 'driver',
    dir: driverFixtures,
    profile: 'lexoffice',
    client: { id: 'c', authMethod: 'none', redirectUri: 'http://127.0.0.1:1/cb', scopes: ['openid'] },
    start: {
      command: [process.execPath, path.join(driverFixtures, script)],
      cwd: driverFixtures,
      env: {},
      ready: { stdout: '' },
      timeoutMs: 5_000,
    },
  };
}

describe('startTargetHandle for a driver', () => {
  it('ends a running check as soon as the driver exits, even one not waiting for a driver answer', async () => {
    const signal = new AbortController().signal;
    // A driver target never talks to the provider through the handle; the provider is not needed here.
    const idp = {} as MockIdp;
    const instance = new TargetInstance((s) => startTargetHandle(driverTarget('exiting-driver.mjs'), idp, s), signal);
    try {
      const handle = await instance.ensure();
      // The check is busy elsewhere (say, approving at the provider): nothing of it waits on the driver.
      const busyElsewhere = new Promise<never>(() => undefined);
      const watched = instance.watch(handle, busyElsewhere).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Another session's op makes the driver crash.
      await handle.driver?.send('other', 'authorize').catch(() => undefined);
      const err = await watched;
      expect(err).toBeInstanceOf(CheckRunError);
      expect((err as CheckRunError).errorKind).toBe('target');
      expect((err as CheckRunError).message).toContain('exited with code 4');
      expect(handle.exited()).toBe(true);
    } finally {
      await instance.stop();
    }
    expect(liveGroups()).toEqual([]);
  });
});
