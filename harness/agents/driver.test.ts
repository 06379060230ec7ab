import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveGroups } from '../target/registry.js';
import type { ResolvedTarget } from '../types.js';
import { DriverError, DriverProcess, LineReader, MAX_LINE_CHARS, type DriverOp } from './driver.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

function driverTarget(script: string, command?: string[]): ResolvedTarget {
  return {
    name: script,
    kind: 'driver',
    dir: fixtures,
    profile: 'lexoffice',
    client: { id: 'c', authMethod: 'none', redirectUri: 'http://127.0.0.1:1/cb', scopes: ['openid'] },
    start: {
      command: command ?? [process.execPath, path.join(fixtures, script)],
      cwd: fixtures,
      env: {},
      ready: { stdout: '' },
      timeoutMs: 5_000,
    },
  };
}

const running: DriverProcess[] = [];
async function start(script: string): Promise<DriverProcess> {
  const d = await DriverProcess.start(driverTarget(script));
  running.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  expect(liveGroups()).toEqual([]);
});

async function rejection(p: Promise<unknown>): Promise<DriverError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriverError);
  return err as DriverError;
}

describe('DriverProcess', () => {
  it('runs a login through a well-behaved driver and records the exchange', async () => {
    const d = await start('good-driver.mjs');
    const auth = await d.send('a', 'authorize');
    expect(auth).toEqual({ id: 1, ok: true, url: 'http://127.0.0.1:1/authorize?state=st-a' });
    expect(await d.send('a', 'callback', { url: 'http://127.0.0.1:1/cb?code=x&state=st-a' })).toEqual({
      id: 2,
      ok: true,
    });
    expect(await d.send('a', 'api', { path: '/v1/profile' })).toEqual({ id: 3, ok: true, status: 200 });
    expect(await d.send('a', 'refresh')).toEqual({ id: 4, ok: false, error: 'unsupported' });
    const tr = d.transcript();
    expect(tr.map((e) => [e.agent, e.method, e.url])).toEqual([
      ['driver', 'authorize', 'driver:a'],
      ['driver', 'callback', 'http://127.0.0.1:1/cb?code=x&state=st-a'],
      ['driver', 'api', '/v1/profile'],
      ['driver', 'refresh', 'driver:a'],
    ]);
    expect(tr[1]?.requestBody).toBe(
      '{"id":2,"session":"a","op":"callback","url":"http://127.0.0.1:1/cb?code=x&state=st-a"}',
    );
    expect(tr[2]?.status).toBe(200);
    expect(tr[3]?.note).toContain('unsupported');
    await expect.poll(() => d.stderr()).toContain('op refresh for a');
  });

  it('keeps sessions independent and matches answers that arrive out of order by id', async () => {
    const d = await start('good-driver.mjs');
    await d.send('a', 'authorize');
    await d.send('b', 'authorize');
    // Session a's state delivered in session b is refused by the driver's own state check.
    expect((await d.send('b', 'callback', { url: 'http://127.0.0.1:1/cb?code=x&state=st-a' })).ok).toBe(false);
    const slow = d.send('a', 'slow' as DriverOp);
    const fast = d.send('b', 'api', { path: '/v1/profile' });
    const order: string[] = [];
    await Promise.all([slow.then(() => order.push('slow')), fast.then(() => order.push('fast'))]);
    expect(order).toEqual(['fast', 'slow']);
  });

  it('rejects with kind protocol when the driver answers an id that was not asked', async () => {
    const d = await start('lying-driver.mjs');
    const err = await rejection(d.send('a', 'authorize'));
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('id 101');
    // The stream is out of step: later calls fail the same way instead of guessing.
    expect((await rejection(d.send('a', 'authorize'))).kind).toBe('protocol');
  });

  it('rejects with kind protocol when an answer has the wrong shape', async () => {
    const d = await start('shape-driver.mjs');
    const err = await rejection(d.send('a', 'authorize'));
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('ok');
  });

  it('rejects with kind timeout when the driver does not answer in time', async () => {
    const d = await start('hanging-driver.mjs');
    const t0 = Date.now();
    const err = await rejection(d.send('a', 'authorize', {}, 200));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(d.transcript()[0]?.note).toContain('no answer within 200 ms');
  });

  it('rejects with kind exited, with its stderr, when the driver exits', async () => {
    const d = await start('exiting-driver.mjs');
    const err = await rejection(d.send('a', 'authorize'));
    expect(err.kind).toBe('exited');
    expect(err.message).toContain('exited with code 4');
    expect(err.message).toContain('KeyError: client_id');
    expect(d.exited()).toBe(true);
    expect((await rejection(d.send('a', 'authorize'))).kind).toBe('exited');
  });

  it('rejects with kind garbage when the driver prints a non-JSON line', async () => {
    const d = await start('garbage-driver.mjs');
    const err = await rejection(d.send('a', 'authorize'));
    expect(err.kind).toBe('garbage');
    expect(err.line).toBe('Starting login flow for session a...');
  });

  it('rejects with kind protocol when the driver writes more than the line limit without a line break', async () => {
    const d = await start('flood-driver.mjs');
    const err = await rejection(d.send('a', 'authorize'));
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain(`more than ${MAX_LINE_CHARS} characters without a line break`);
    // Broken for good: later calls reject at once with the same kind.
    expect((await rejection(d.send('a', 'authorize'))).kind).toBe('protocol');
  });

  it('rejects the start of a driver command that does not exist', async () => {
    const err = await rejection(DriverProcess.start(driverTarget('x', ['/nonexistent/driver'])));
    expect(err.kind).toBe('exited');
  });

  it('stops the driver process when asked, rejecting calls still in flight', async () => {
    const d = await start('hanging-driver.mjs');
    const pending = d.send('a', 'authorize', {}, 10_000);
    await d.stop();
    const err = await rejection(pending);
    expect(err.kind).toBe('exited');
    expect(err.message).toBe('driver was stopped');
    expect(() => process.kill(d.pid ?? 0, 0)).toThrow();
  });
});

describe('LineReader', () => {
  it('gives complete lines across chunk boundaries, without the CR of a CRLF', () => {
    const r = new LineReader(100);
    expect(r.push('{"id":1')).toEqual([]);
    expect(r.push(',"ok":true}\r\n{"id"')).toEqual(['{"id":1,"ok":true}']);
    expect(r.push(':2}\n\n')).toEqual(['{"id":2}', '']);
    expect(r.push('a\r')).toEqual([]);
    expect(r.push('\n')).toEqual(['a']);
  });

  it('reads a long line of many small chunks in one pass', () => {
    const r = new LineReader(MAX_LINE_CHARS);
    // 200,000 chunks: searching the whole pending text at each chunk would take minutes here.
    let early = 0;
    for (let i = 0; i < 200_000; i++) early += r.push('0123456789').length;
    expect(early).toBe(0);
    const [line] = r.push('\n');
    expect(line).toHaveLength(2_000_000);
  });

  it('throws when a line grows past the limit, in pieces or in one chunk', () => {
    const pieces = new LineReader(10);
    pieces.push('12345');
    expect(() => pieces.push('678901')).toThrow('more than 10 characters without a line break');
    expect(() => new LineReader(10).push(`${'x'.repeat(11)}\n`)).toThrow(/more than 10 characters/);
    expect(new LineReader(10).push(`${'x'.repeat(10)}\n`)).toEqual(['x'.repeat(10)]);
  });
});
