import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPortPicker,
  ephemeralPortRange,
  fileClaims,
  freeLoopbackPort,
  targetPortRange,
  type HeldPort,
  type PortClaims,
} from './port.js';

/** A fake kernel that hands out the given ports in turn, recording which are still held. */
function fakeKernel(ports: number[]): { bind: () => Promise<HeldPort>; held: Set<number> } {
  const held = new Set<number>();
  let next = 0;
  return {
    held,
    bind: async () => {
      const port = ports[next++];
      if (port === undefined) throw new Error('the fake kernel has no more ports');
      held.add(port);
      return { port, close: async () => void held.delete(port) };
    },
  };
}

/** Claims that grant every port (another process claims nothing). */
const noOtherProcess: PortClaims = { claim: () => true, release: () => undefined };

/** The pid of a process that has ended. */
function endedPid(): number {
  const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(run.stdout);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function claimsDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'port-claims-'));
  dirs.push(d);
  return d;
}

describe('the ports given to targets', () => {
  it("lie below the kernel's ephemeral range, where no bind of port 0 lands", () => {
    expect(ephemeralPortRange(() => '32768\t60999\n')).toEqual({ low: 32768, high: 60999 });
    expect(targetPortRange({ low: 32768, high: 60999 })).toEqual({ low: 16384, high: 32767 });
    expect(targetPortRange({ low: 5000, high: 6000 })).toEqual({ low: 1025, high: 4999 });
    // Elsewhere (or unreadable, or nonsense): the IANA dynamic range.
    for (const read of [
      () => 'x y',
      () => '80 90',
      () => '',
      (): string => {
        throw new Error('ENOENT');
      },
    ]) {
      expect(ephemeralPortRange(read)).toEqual({ low: 49152, high: 65535 });
    }
  });

  it('are bindable ports of that range', async () => {
    const { low, high } = targetPortRange();
    for (let i = 0; i < 5; i++) {
      const port = await freeLoopbackPort();
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThanOrEqual(high);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('createPortPicker', () => {
  it('tries another candidate when one is taken, and reports any other failure to bind', async () => {
    const taken = Object.assign(new Error('taken'), { code: 'EADDRINUSE' });
    const attempts = [taken, 6001];
    const { pick } = createPortPicker(async () => {
      const next = attempts.shift();
      if (next instanceof Error) throw next;
      if (next === undefined) throw Object.assign(new Error('no such address'), { code: 'EADDRNOTAVAIL' });
      return { port: next, close: async () => undefined };
    }, noOtherProcess);
    expect(await pick()).toBe(6001);
    await expect(pick()).rejects.toThrow(/no such address/);
  });

  it('never hands out a port twice when the kernel offers it again, and lets every probe go', async () => {
    const kernel = fakeKernel([5000, 5000, 5001, 5000, 5001, 5002]);
    const { pick } = createPortPicker(kernel.bind, noOtherProcess);
    expect(await pick()).toBe(5000);
    expect(await pick()).toBe(5001);
    expect(await pick()).toBe(5002);
    expect(kernel.held.size).toBe(0);
  });

  it('gives up with a clear error when the kernel offers only ports already handed out', async () => {
    const { pick } = createPortPicker(fakeKernel([7000, ...Array<number>(64).fill(7000)]).bind, noOtherProcess);
    expect(await pick()).toBe(7000);
    await expect(pick()).rejects.toThrow(/no free loopback port found that was not already given to a target/);
  });

  it('skips a port another live harness process claimed, and takes over the claim of an ended one', async () => {
    const dir = claimsDir();
    // The parent of this process stands for another harness process that is alive.
    writeFileSync(path.join(dir, '6000'), String(process.ppid));
    writeFileSync(path.join(dir, '6001'), String(endedPid()));
    // A claim whose pid is not written yet: another process is making it, so the port is taken.
    writeFileSync(path.join(dir, '5999'), '');
    // A claim of an ended process on a port this test never picks: removed by the first claim.
    writeFileSync(path.join(dir, '6100'), String(endedPid()));
    const claims = fileClaims(dir);
    const { pick, releaseAll } = createPortPicker(fakeKernel([5999, 6000, 6001]).bind, claims);
    expect(await pick()).toBe(6001);
    expect(existsSync(path.join(dir, '6100'))).toBe(false);
    expect(readFileSync(path.join(dir, '6001'), 'utf8')).toBe(String(process.pid));
    // Another picker of a process running at the same time does not get the port either.
    const other = createPortPicker(fakeKernel([6001, 6002]).bind, fileClaims(dir, process.ppid));
    expect(await other.pick()).toBe(6002);
    // Its claims go when it ends (releaseAll runs at exit); another process's claims stay.
    releaseAll();
    expect(existsSync(path.join(dir, '6001'))).toBe(false);
    expect(readFileSync(path.join(dir, '6000'), 'utf8')).toBe(String(process.ppid));
    expect(existsSync(path.join(dir, '5999'))).toBe(true);
  });
});

describe('freeLoopbackPort', () => {
  it('returns distinct ports that are free to bind on 127.0.0.1', async () => {
    const ports = await Promise.all(Array.from({ length: 8 }, () => freeLoopbackPort()));
    expect(new Set(ports).size).toBe(8);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
