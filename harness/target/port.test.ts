import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPortPicker, freeLoopbackPort, type HeldPort } from './port.js';

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

describe('createPortPicker', () => {
  it('never hands out a port twice when the kernel offers it again, and lets every probe go', async () => {
    const kernel = fakeKernel([5000, 5000, 5001, 5000, 5001, 5002]);
    const pick = createPortPicker(kernel.bind);
    expect(await pick()).toBe(5000);
    expect(await pick()).toBe(5001);
    expect(await pick()).toBe(5002);
    expect(kernel.held.size).toBe(0);
  });

  it('gives up with a clear error when the kernel offers only ports already handed out', async () => {
    const pick = createPortPicker(fakeKernel([7000, ...Array<number>(64).fill(7000)]).bind);
    expect(await pick()).toBe(7000);
    await expect(pick()).rejects.toThrow(/no loopback port found that was not already given to a target/);
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
