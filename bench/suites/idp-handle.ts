/**
 * The `idp-handle` suite: our mock's own cost per endpoint, without HTTP. Runs the same
 * authorize -> token -> userinfo -> API flow as the `idp` suite straight through `idp.handle` in this
 * process, one flow at a time, and reports the mean and p95 time each step takes. It tells how much of
 * a loopback flow is the provider itself and how much is the transport. Next to each step's time, the
 * CPU time the process used during it (all threads: signing runs on the thread pool).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createMockIdp } from '../../mock-idp/index.js';
import os from 'node:os';
import { load1, roundedLoad } from '../command.js';
import type { BenchSuite } from '../types.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const STEPS = ['discovery', 'authorize', 'token', 'userinfo', 'api /v1/profile'] as const;
type Step = (typeof STEPS)[number];

const suite: BenchSuite = {
  name: 'idp-handle',
  description: 'our mock per endpoint through idp.handle, in process (no HTTP)',
  async run({ durationMs, log }) {
    const idp = await createMockIdp({ profile: 'lexoffice', seed: 1, baseUrl: 'http://127.0.0.1:4000' });
    idp.registerClient({ clientId: 'bench-client', authMethod: 'none', redirectUris: [REDIRECT] });
    const userinfo = idp.endpoints.userinfo;
    if (!userinfo) throw new Error('lexoffice profile has no userinfo endpoint');
    const times = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
    const cpuTimes = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
    const timed = async (step: Step, req: Request): Promise<Response> => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await idp.handle(req);
      const body = await res.text();
      times.get(step)!.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpuTimes.get(step)!.push((cpu.user + cpu.system) / 1000);
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const flow = async (): Promise<void> => {
      await timed('discovery', new Request(idp.endpoints.discovery));
      const verifier = randomBytes(32).toString('base64url');
      const authz = new URL(idp.endpoints.authorization);
      authz.search = new URLSearchParams({
        response_type: 'code',
        client_id: 'bench-client',
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        state: randomBytes(16).toString('base64url'),
        nonce: randomBytes(16).toString('base64url'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const redirect = await timed('authorize', new Request(authz, { redirect: 'manual' }));
      const code = new URL(redirect.headers.get('location') ?? REDIRECT).searchParams.get('code');
      if (!code) throw new Error(`authorize: ${redirect.status}`);
      const tokenRes = await timed(
        'token',
        new Request(idp.endpoints.token, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT,
            client_id: 'bench-client',
            code_verifier: verifier,
          }),
        }),
      );
      const { access_token: accessToken } = (await tokenRes.json()) as { access_token?: string };
      if (!accessToken) throw new Error(`token: ${tokenRes.status}`);
      const headers = { authorization: `Bearer ${accessToken}` };
      await timed('userinfo', new Request(userinfo, { headers }));
      const api = await timed('api /v1/profile', new Request(new URL('/v1/profile', idp.apiBaseUrl), { headers }));
      if (api.status !== 200) throw new Error(`api: ${api.status}`);
    };
    const warmUntil = performance.now() + Math.min(500, durationMs);
    while (performance.now() < warmUntil) await flow();
    for (const list of [...times.values(), ...cpuTimes.values()]) list.length = 0;
    const loadBefore = os.loadavg();
    const start = performance.now();
    let flows = 0;
    while (performance.now() < start + durationMs) {
      await flow();
      flows++;
    }
    const seconds = (performance.now() - start) / 1000;
    const round = (n: number): number => Math.round(n * 1000) / 1000;
    const steps = STEPS.map((step) => {
      const list = [...times.get(step)!].sort((a, b) => a - b);
      const mean = list.reduce((s, t) => s + t, 0) / list.length;
      const cpu = cpuTimes.get(step)!;
      return {
        step,
        meanMs: round(mean),
        p95Ms: round(list[Math.floor(list.length * 0.95)] ?? NaN),
        cpuMeanMs: round(cpu.reduce((s, t) => s + t, 0) / cpu.length),
      };
    });
    const loadAfter = os.loadavg();
    log(`${flows} in-process flows in ${seconds.toFixed(1)} s`);
    const width = Math.max(...STEPS.map((s) => s.length));
    const table = [
      `${'step'.padEnd(width)}  mean ms  p95 ms  CPU ms`,
      ...steps.map(
        (s) =>
          `${s.step.padEnd(width)}  ${s.meanMs.toFixed(3).padStart(7)}  ${s.p95Ms.toFixed(3).padStart(6)}  ${s.cpuMeanMs.toFixed(3).padStart(6)}`,
      ),
      `${flows} flows in ${seconds.toFixed(1)} s = ${(flows / seconds).toFixed(1)} flows/s in process, one at a time`,
    ].join('\n');
    const token = steps.find((s) => s.step === 'token')!;
    return {
      table,
      goals: [
        {
          key: 'idp-handle.token',
          value: token.meanMs,
          detail: `p95 ${token.p95Ms.toFixed(3)} ms, ${flows} flows`,
          cpuText: `${token.cpuMeanMs.toFixed(3)} CPU-ms`,
          load: { before: load1(loadBefore), after: load1(loadAfter) },
        },
      ],
      json: {
        suite: 'idp-handle',
        durationMs,
        flows,
        flowsPerSecond: round(flows / seconds),
        steps,
        node: process.version,
        machine: {
          cpus: os.cpus().length,
          loadavgBefore: roundedLoad(loadBefore),
          loadavgAfter: roundedLoad(loadAfter),
        },
      },
    };
  },
};

export default suite;
