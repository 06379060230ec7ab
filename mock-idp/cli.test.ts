import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_REDIRECT_URI, runIdpCommand, type IdpCommandIo } from './cli.js';
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

describe('login-harness idp', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('prints usage and exits 0 for --help', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: login-harness idp');
  });

  it('names an unknown flag and exits 2', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--prot', '80'], io)).toBe(2);
    expect(io.err()).toContain('--prot');
  });

  it('rejects a port that is not a number with the flag named, exit 2', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--port', 'http'], io)).toBe(2);
    expect(io.err()).toContain('--port');
  });

  it('refuses a non-loopback host without --allow-non-loopback', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--host', '0.0.0.0'], io)).toBe(2);
    expect(io.err()).toContain('--allow-non-loopback');
  });

  it('serves the provider, prints issuer, endpoints and demo client, logs requests redacted, and stops cleanly', async () => {
    const io = captureIo();
    stop = io.abort;
    let ready!: (r: RunningMockIdp) => void;
    const started = new Promise<RunningMockIdp>((resolve) => (ready = resolve));
    const exit = runIdpCommand(['--seed', '4', '--profile', 'lexoffice'], { ...io, onReady: ready });
    const running = await started;
    const out = io.out();
    expect(out).toContain(`issuer                  ${running.idp.issuer}`);
    expect(out).toContain(running.idp.endpoints.token);
    expect(out).toContain(running.idp.apiBaseUrl);
    expect(out).toContain('demo-client');
    expect(out).toContain('demo-secret');
    expect(out).toContain(DEMO_REDIRECT_URI);

    const discovery = await fetch(running.idp.endpoints.discovery);
    expect(discovery.status).toBe(200);
    const authz = new URL(running.idp.endpoints.authorization);
    authz.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'demo-client',
      redirect_uri: DEMO_REDIRECT_URI,
      scope: 'openid',
      state: 'cli-state',
    }).toString();
    const redirect = await fetch(authz, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    expect(code).toBeTruthy();
    await running.idp.journal.waitFor((e) => e.endpoint === 'authorization');

    const logged = io.out().slice(out.length);
    expect(logged).toMatch(/GET \/\.well-known\/openid-configuration -> 200/);
    expect(logged).toMatch(/GET .*authorize.* -> 302/);
    expect(logged).not.toContain(code);

    io.abort();
    expect(await exit).toBe(0);
    expect(io.out()).toContain('stopped');
    await expect(fetch(running.idp.endpoints.discovery)).rejects.toThrow();
  });

  it('registers only the client authentication the profile advertises (partner: Basic only)', async () => {
    const io = captureIo();
    stop = io.abort;
    let ready!: (r: RunningMockIdp) => void;
    const started = new Promise<RunningMockIdp>((resolve) => (ready = resolve));
    const exit = runIdpCommand(['--profile', 'lexoffice-partner'], { ...io, onReady: ready });
    const running = await started;
    expect(io.out()).toContain('demo client (client_secret_basic)');
    expect(io.out()).not.toContain('demo-public');
    expect(io.out()).toContain(`revocation_endpoint     ${running.idp.apiBaseUrl}/v1/revoke`);
    io.abort();
    expect(await exit).toBe(0);
  });

  it('exits 1 with the reason when the profile file cannot be read', async () => {
    const io = captureIo();
    expect(await runIdpCommand(['--profile', '/nonexistent/discovery.json'], io)).toBe(1);
    expect(io.err()).toContain('could not start');
  });

  it('stops on SIGTERM in its own process, closing the server and exiting 0', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const script = `const { runIdpCommand } = await import(${JSON.stringify(cli)}); process.exitCode = await runIdpCommand([]);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const listening = new Promise<string>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('Logging requests')) resolve(m[1]);
      });
    });
    const exited = once(child, 'exit');
    try {
      const url = await listening;
      expect((await fetch(`${url}/.well-known/openid-configuration`)).status).toBe(200);
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(out).toContain('stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
