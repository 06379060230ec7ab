/**
 * The `soak` suite: one `login-harness idp` process (the command a developer leaves running) driven
 * with full flows (authorize with PKCE S256 -> token -> userinfo -> API -> refresh) by `concurrency`
 * workers, for `--flows N` flows or `--duration MS`. Prints flows/s and the provider's resident memory
 * (VmRSS of its process) at every sample; the memory must level off, since the journal and the grant
 * store are bounded (mock-idp/README.md, "Memory"). The provider runs in a process of its own, so the
 * figure is the provider's alone (not the flows' client side). Ctrl-C (the options' signal) stops it
 * after the flows in progress, with the figures reached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from '../types.js';

const REDIRECT_URI = 'http://127.0.0.1:8080/callback';
const CLIENT_ID = 'demo-public';
const SCOPE = 'openid profile email contact.read';

interface Provider {
  child: ChildProcess;
  url: string;
  apiBase: string;
  authorization: string;
  token: string;
  userinfo: string;
  /** Lines the provider has logged (one per request). */
  logged: () => number;
}

/** A sample of the run: completed flows, time, throughput since the last sample, resident memory. */
export interface SoakSample {
  flows: number;
  errors: number;
  seconds: number;
  flowsPerSecond: number;
  rssMb: number;
}

/** Resident memory of a process in MB, from `/proc/<pid>/status` (Linux); NaN where unreadable. */
export async function residentMb(pid: number | undefined): Promise<number> {
  if (pid === undefined) return NaN;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? NaN : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return NaN;
  }
}

async function startProvider(): Promise<Provider> {
  const bin = fileURLToPath(new URL('../../bin/login-harness.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, 'idp', '--port', '0', '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group: a Ctrl-C at the terminal stops the soak (which then stops the provider
    // after the flows in progress), not the provider in the middle of them.
    detached: true,
  });
  // Should the bench process end abruptly, the provider must not outlive it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const lines = createInterface({ input: child.stdout! });
  let logged = 0;
  let url: string | undefined;
  let apiBase: string | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`login-harness idp exited with ${String(code)} before it was ready`)),
    );
    lines.on('line', (line) => {
      url ??= /listening on (http:\/\/\S+)/.exec(line)?.[1];
      apiBase ??= /^API base\s+(http:\/\/\S+)/.exec(line)?.[1];
      if (/ -> \d{3} \(/.test(line)) logged += 1;
      if (line.startsWith('Logging requests')) resolve();
    });
  });
  await ready;
  if (!url || !apiBase) throw new Error('login-harness idp did not print its URL and API base');
  const discovery = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  return {
    child,
    url,
    apiBase,
    authorization: discovery.authorization_endpoint,
    token: discovery.token_endpoint,
    userinfo: discovery.userinfo_endpoint,
    logged: () => logged,
  };
}

async function stopProvider(p: Provider): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = once(p.child, 'exit');
  p.child.kill('SIGTERM');
  await exited;
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

/**
 * A failed step as the soak reports it: the status and, when the answer is an OAuth or API error, its
 * `error` and `error_description` (RFC 6749 5.2), so an error in a long run explains itself. Only those
 * two members are taken (never a token), each cut to 200 characters.
 */
export function describeFailure(step: string, status: number, body: string): string {
  let error: unknown;
  let description: unknown;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    error = parsed.error;
    description = parsed.error_description ?? parsed.message;
  } catch {
    // Not JSON: the status says what there is to say.
  }
  const parts = [typeof error === 'string' ? error : '', typeof description === 'string' ? description : '']
    .map((p) => p.slice(0, 200))
    .filter((p) => p !== '');
  return `${step}: ${status}${parts.length > 0 ? ` ${parts.join(': ')}` : ''}`;
}

async function tokenRequest(p: Provider, form: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(p.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }).toString(),
  });
  const text = await res.text();
  const step = `token (${form.grant_type})`;
  if (res.status !== 200) throw new Error(describeFailure(step, res.status, text));
  const body = JSON.parse(text) as Record<string, string>;
  if (!body.access_token) throw new Error(`${step}: 200 without access_token`);
  return body;
}

async function bearerCall(url: string, token: string, step: string): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(describeFailure(step, res.status, text));
}

/** One full flow as a public client does it; throws naming the step that failed. */
async function flow(p: Provider): Promise<void> {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(12));
  const auth = new URL(p.authorization);
  auth.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state,
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  const res = await fetch(auth, { redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  const callback = location ? new URL(location, auth) : undefined;
  const code = callback?.searchParams.get('code');
  if (!code || callback?.searchParams.get('state') !== state) throw new Error(`authorization: ${res.status}`);
  const tokens = await tokenRequest(p, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  await bearerCall(p.userinfo, tokens.access_token, 'userinfo');
  await bearerCall(`${p.apiBase}/v1/profile`, tokens.access_token, 'api');
  if (!tokens.refresh_token) throw new Error('token: no refresh_token');
  await tokenRequest(p, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
}

const suite: BenchSuite = {
  name: 'soak',
  description:
    'full flows (authorize -> token with PKCE -> userinfo -> API -> refresh) against one login-harness idp process; flows/s and its resident memory',
  async run(opts) {
    const concurrency = Math.max(...opts.concurrency);
    const target = opts.flows;
    const sampleEvery = target !== undefined ? Math.max(1000, Math.min(10_000, Math.floor(target / 20))) : 10_000;
    const provider = await startProvider();
    const samples: SoakSample[] = [];
    let flows = 0;
    let errors = 0;
    let firstError: string | undefined;
    /** Errors by message (at most 20 distinct ones), so a long run says what failed and how often. */
    const errorKinds = new Map<string, number>();
    const started = performance.now();
    let last = { flows: 0, at: started };
    const sample = async (): Promise<void> => {
      const now = performance.now();
      const rssMb = await residentMb(provider.child.pid);
      const s: SoakSample = {
        flows,
        errors,
        seconds: Math.round((now - started) / 100) / 10,
        flowsPerSecond: now > last.at ? Math.round(((flows - last.flows) / (now - last.at)) * 10000) / 10 : 0,
        rssMb,
      };
      last = { flows, at: now };
      samples.push(s);
      opts.log(
        `  ${String(s.flows).padStart(8)} flows  ${String(s.seconds).padStart(7)} s  ${String(s.flowsPerSecond).padStart(7)} flows/s  RSS ${s.rssMb} MB  errors ${s.errors}`,
      );
    };
    opts.log(
      `soak: ${target !== undefined ? `${target} flows` : `${opts.durationMs} ms`}, concurrency ${concurrency}, provider pid ${provider.child.pid}`,
    );
    try {
      await sample();
      const deadline = started + opts.durationMs;
      const more = (): boolean =>
        !opts.signal?.aborted && (target !== undefined ? flows + errors < target : performance.now() < deadline);
      let nextSample = sampleEvery;
      let sampling: Promise<void> = Promise.resolve();
      const worker = async (): Promise<void> => {
        while (more()) {
          try {
            await flow(provider);
            flows += 1;
          } catch (err) {
            errors += 1;
            const message = (err as Error).message;
            firstError ??= message;
            if (errorKinds.has(message) || errorKinds.size < 20)
              errorKinds.set(message, (errorKinds.get(message) ?? 0) + 1);
            if (provider.child.exitCode !== null) throw new Error('the provider process exited');
          }
          if (flows >= nextSample) {
            nextSample += sampleEvery;
            sampling = sampling.then(sample);
          }
        }
      };
      // Also a sample every 30 s, so a slow run still shows how its memory develops.
      const timer = setInterval(() => {
        sampling = sampling.then(sample);
      }, 30_000);
      try {
        await Promise.all(Array.from({ length: concurrency }, worker));
      } finally {
        clearInterval(timer);
      }
      await sampling;
      if (samples.at(-1)?.flows !== flows) await sample();
    } finally {
      await stopProvider(provider);
    }
    const seconds = (performance.now() - started) / 1000;
    const measured = samples.filter((s) => s.flows > 0);
    const half = measured.slice(Math.floor(measured.length / 2));
    const growthSecondHalfMb =
      half.length >= 2 ? Math.round((Math.max(...half.map((s) => s.rssMb)) - half[0].rssMb) * 10) / 10 : NaN;
    const summary = {
      concurrency,
      /** Stopped early (Ctrl-C): the figures are those reached. */
      stoppedEarly: opts.signal?.aborted === true,
      flows,
      errors,
      firstError,
      errorKinds: Object.fromEntries(errorKinds),
      seconds: Math.round(seconds * 10) / 10,
      flowsPerSecond: Math.round((flows / seconds) * 10) / 10,
      rssStartMb: samples[0]?.rssMb,
      rssPeakMb: Math.max(...samples.map((s) => s.rssMb)),
      rssEndMb: samples.at(-1)?.rssMb,
      growthSecondHalfMb,
      requestsLogged: provider.logged(),
    };
    const table = [
      `soak: ${flows} flows in ${summary.seconds} s (${summary.flowsPerSecond} flows/s), concurrency ${concurrency}, errors ${errors}${firstError ? ` (first: ${firstError})` : ''}`,
      ...[...errorKinds].map(([message, n]) => `  ${n} x ${message}`),
      '',
      '| flows | s | flows/s | RSS MB |',
      '| ---: | ---: | ---: | ---: |',
      ...samples.map((s) => `| ${s.flows} | ${s.seconds} | ${s.flowsPerSecond} | ${s.rssMb} |`),
      '',
      `RSS: ${summary.rssStartMb} MB at start, peak ${summary.rssPeakMb} MB, ${summary.rssEndMb} MB at the end; growth over the second half of the run: ${growthSecondHalfMb} MB`,
    ].join('\n');
    return { table, json: { summary, samples } };
  },
};

export default suite;
