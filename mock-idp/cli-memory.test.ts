import { describe, expect, it } from 'vitest';
import { runIdpCommand, type IdpCommandIo } from './cli.js';
import type { RunningMockIdp } from './types.js';

function captureIo(): IdpCommandIo & { out: () => string; err: () => string; abort: () => void } {
  let out = '';
  let err = '';
  const controller = new AbortController();
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    signal: controller.signal,
    out: () => out,
    err: () => err,
    abort: () => controller.abort(),
  };
}

describe('login-harness idp memory options', () => {
  it('documents its memory behaviour and the memory options in --help', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/Memory: the provider stays bounded/);
    for (const flag of ['--journal-tags', '--journal-untagged', '--max-grants']) expect(io.out()).toContain(flag);
  });

  it('refuses a memory option that is not a positive integer, naming it, exit 2', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--journal-untagged', '0'], io)).toBe(2);
    expect(io.err()).toContain('--journal-untagged');
  });

  it('keeps no more untagged requests than --journal-untagged says', async () => {
    const io = captureIo();
    let ready!: (r: RunningMockIdp) => void;
    const started = new Promise<RunningMockIdp>((resolve) => (ready = resolve));
    const exit = runIdpCommand(['--journal-untagged', '3'], { ...io, onReady: ready });
    const running = await started;
    try {
      for (let i = 0; i < 8; i++) await (await fetch(`${running.url}/.well-known/openid-configuration`)).text();
      const kept = running.idp.journal.entries();
      expect(kept).toHaveLength(3);
      expect(kept.map((e) => e.seq)).toEqual([6, 7, 8]);
      // Every request was still logged as it came.
      expect(io.out().match(/ GET \/\.well-known\/openid-configuration -> 200/g)).toHaveLength(8);
    } finally {
      io.abort();
    }
    expect(await exit).toBe(0);
  });
});
