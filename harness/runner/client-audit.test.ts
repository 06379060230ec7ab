import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProviderJournal } from '../../mock-idp/journal/journal.js';
import { LOGIN_TAG_HEADER } from '../../mock-idp/types.js';
import type { Report, RunnerEvent } from '../../reports/model.js';
import type { ClientCheck, ClientCheckContext, Outcome } from '../../scenarios/types.js';
import { clientCatalogOf, loadClientCatalog } from '../cli/catalog.js';
import { createMockIdp } from '../../mock-idp/index.js';
import type { ClientRegistration } from '../../mock-idp/types.js';
import { browserCloser, redactorOf, runClientAudit, type ClientAuditOptions } from './client-audit.js';
import type { BrowserPool } from '../agents/browser.js';
import { normalizeReportForComparison } from './determinism.js';
import { liveGroups } from '../target/index.js';
import { BACKGROUND_NICE, readSessionNice as sessionNice } from '../target/priority.js';

const FRAGILE = fileURLToPath(new URL('./fixtures/fragile-target.json', import.meta.url));

function fake(
  id: string,
  run: (ctx: ClientCheckContext) => Promise<Outcome>,
  extra: Partial<ClientCheck> = {},
): ClientCheck {
  return {
    id,
    title: `Fake ${id}`,
    severity: 'high',
    refs: ['RFC6749-10.12'],
    must: 'holds',
    rationale: 'because',
    remediation: 'fix',
    requirement: { text: 'The client MUST implement CSRF protection.', level: 'MUST', ref: 'RFC6749-10.12' },
    target: 'client',
    kinds: ['web'],
    agent: 'default',
    run,
    ...extra,
  };
}

/** A check that hands its context to `record` and passes with one observation. */
function recording(
  id: string,
  record: (ctx: ClientCheckContext) => void,
  extra: Partial<ClientCheck> = {},
): ClientCheck {
  return fake(
    id,
    async (ctx) => {
      record(ctx);
      ctx.observe('recorded');
      return { verdict: 'pass', summary: 'ok' };
    },
    extra,
  );
}

/** Reads the fragile target's pid from its own ready line. */
function pidFrom(logs: string): number {
  const m = /ready pid=(\d+)/.exec(logs);
  if (!m) throw new Error(`no pid in target logs: ${logs}`);
  return Number(m[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What a check saw of its environment: the provider's issuer and metadata, the target's pid. */
interface Seen {
  issuer: string;
  pid: number;
  plainOnly: unknown;
}

/**
 * Audits the fragile target with the checks `[id, declaration]`, each of which records what it saw
 * (under its id) and passes.
 */
async function auditRecording(
  checks: ReadonlyArray<readonly [string, Partial<ClientCheck>?]>,
  concurrency = 1,
): Promise<{ seen: Record<string, Seen>; report: Report }> {
  const seen: Record<string, Seen> = {};
  const report = await runClientAudit({
    ...base,
    concurrency,
    catalog: clientCatalogOf(
      checks.map(([id, extra]) =>
        recording(
          id,
          (ctx) => {
            seen[id] = {
              issuer: ctx.idp.issuer,
              pid: pidFrom(ctx.targetLogs()),
              plainOnly: ctx.idp.metadata.code_challenge_methods_supported,
            };
          },
          extra,
        ),
      ),
    ),
  });
  return { seen, report };
}

const base: Omit<ClientAuditOptions, 'catalog'> = {
  manifestPath: FRAGILE,
  seed: 1,
  concurrency: 1,
  checkTimeoutMs: 10_000,
};

describe('runClientAudit with a fragile target', () => {
  it('ends the check running when the target crashes in error, and restarts the target for the next', async () => {
    const pids: number[] = [];
    const report = await runClientAudit({
      ...base,
      catalog: clientCatalogOf([
        fake('crash.now', async (ctx) => {
          pids.push(pidFrom(ctx.targetLogs()));
          const s = await ctx.session();
          ctx.observe('asking the target to crash');
          await s.request({ url: new URL('/crash', ctx.target.login?.url).href }).catch(() => undefined);
          // The target is gone: this check must not be able to claim anything.
          await new Promise(() => undefined);
          return { verdict: 'pass', summary: 'unreachable' };
        }),
        fake('after.crash', async (ctx) => {
          const s = await ctx.session();
          const res = await s.request({ url: new URL('/ping', ctx.target.login?.url).href });
          ctx.observe(`target answered ${res.status}`);
          return { verdict: res.status === 200 ? 'pass' : 'fail', summary: `status ${res.status}` };
        }),
      ]),
    });
    expect(report.status).toBe('complete');
    expect(report.results.map((r) => [r.id, r.verdict, r.errorKind])).toEqual([
      ['crash.now', 'error', 'target'],
      ['after.crash', 'pass', undefined],
    ]);
    expect(report.results[0].summary).toMatch(/exited with code 7/);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('ends a check whose target hangs in error at the per-check timeout, never pass', async () => {
    let pid = 0;
    const report = await runClientAudit({
      ...base,
      checkTimeoutMs: 800,
      catalog: clientCatalogOf([
        fake('hang.now', async (ctx) => {
          pid = pidFrom(ctx.targetLogs());
          const s = await ctx.session();
          ctx.observe('asking the target to hang');
          await s.request({ url: new URL('/hang', ctx.target.login?.url).href });
          return { verdict: 'pass', summary: 'the target answered' };
        }),
      ]),
    });
    expect(report.results[0]).toMatchObject({ verdict: 'error', errorKind: 'target' });
    expect(report.results[0].summary).toContain('800 ms');
    expect(alive(pid)).toBe(false);
  });

  it('returns an interrupted report with the finished checks and leaves no process behind', async () => {
    const ac = new AbortController();
    let pid = 0;
    const report = await runClientAudit({
      ...base,
      signal: ac.signal,
      catalog: clientCatalogOf([
        fake('first', async (ctx) => {
          pid = pidFrom(ctx.targetLogs());
          ctx.observe('done');
          return { verdict: 'pass', summary: 'ok' };
        }),
        fake('second', async (ctx) => {
          ctx.observe('interrupting');
          ac.abort();
          await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
          return { verdict: 'pass', summary: 'unreachable' };
        }),
        fake('third', async (ctx) => {
          ctx.observe('should not run');
          return { verdict: 'pass', summary: 'ran' };
        }),
      ]),
    });
    expect(report.status).toBe('interrupted');
    expect(report.results.map((r) => r.id)).toEqual(['first']);
    expect(alive(pid)).toBe(false);
  });

  // Opening an HTTP session here takes well under a millisecond, too short to tell from no time at all:
  // the session step is not asserted.
  it('times each check on its own clock: its user-agent steps, ctx.wait and journal waits', async () => {
    const report = await runClientAudit({
      ...base,
      concurrency: 2,
      catalog: clientCatalogOf([
        fake('timed.steps', async (ctx) => {
          const s = await ctx.session();
          await s.request({ url: new URL('/ping', ctx.target.login?.url).href });
          await ctx.wait(40);
          await ctx.journal.waitFor(() => false, { timeoutMs: 30 }).catch(() => undefined);
          await ctx.fullJournal.waitFor(() => false, { timeoutMs: 30 }).catch(() => undefined);
          ctx.observe('stepped');
          return { verdict: 'pass', summary: 'ok' };
        }),
        // Runs alongside: none of the other check's steps may count as its own.
        fake('idle.alongside', async (ctx) => {
          await new Promise((resolve) => setTimeout(resolve, 120));
          ctx.observe('idled');
          return { verdict: 'pass', summary: 'ok' };
        }),
      ]),
    });
    expect(report.results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    const [stepped, idle] = report.timings?.checks ?? [];
    expect(stepped.id).toBe('timed.steps');
    // 40 ms of ctx.wait and two journal waits of 30 ms, one after the other (timer granularity aside).
    expect(stepped.waitMs).toBeGreaterThanOrEqual(90);
    expect(stepped.loginMs).toBeGreaterThan(0);
    // Each figure is rounded to whole milliseconds on its own.
    expect(stepped.sessionMs + stepped.loginMs + stepped.waitMs).toBeLessThanOrEqual(stepped.durationMs + 2);
    expect(idle).toMatchObject({ id: 'idle.alongside', sessionMs: 0, loginMs: 0, waitMs: 0 });
    expect(idle.durationMs).toBeGreaterThanOrEqual(100);
  });

  it('gives a check with discovery faults its own provider issuer and target process', async () => {
    const { seen, report } = await auditRecording(
      [['shared.one'], ['own.issuer', { discoveryFaults: ['discovery.pkce-plain-only'] }], ['shared.two']],
      2,
    );
    // The own provider and target started with the run, alongside the shared target, before any check:
    // not when the check's turn came.
    const phases = report.timings?.phases ?? [];
    expect(phases.map((p) => (p.check ? `${p.name} ${p.check}` : p.name))).toEqual([
      'provider',
      'target',
      'environment own.issuer',
      'checks',
    ]);
    const environment = phases.find((p) => p.name === 'environment')!;
    const target = phases.find((p) => p.name === 'target')!;
    expect(environment.startMs).toBeLessThan(target.startMs + target.durationMs);
    expect(environment.startMs).toBeLessThanOrEqual(phases.find((p) => p.name === 'checks')!.startMs);
    expect(report.timings?.checks.map((c) => c.id)).toEqual(['shared.one', 'own.issuer', 'shared.two']);
    expect(seen['shared.one'].issuer).toBe(seen['shared.two'].issuer);
    expect(seen['shared.one'].pid).toBe(seen['shared.two'].pid);
    expect(seen['own.issuer'].issuer).not.toBe(seen['shared.one'].issuer);
    expect(seen['own.issuer'].pid).not.toBe(seen['shared.one'].pid);
    expect(seen['own.issuer'].plainOnly).toEqual(['plain']);
    for (const s of Object.values(seen)) expect(alive(s.pid)).toBe(false);
  });

  it('starts the target of a check with its own environment in the background until the check waits on it', async () => {
    // What each check saw: its own target's pid, and the autogroup nice value of every target running.
    const seen: Record<string, { pid: number; nice: Map<number, number | undefined> }> = {};
    const record = (id: string) => (ctx: ClientCheckContext) => {
      seen[id] = { pid: pidFrom(ctx.targetLogs()), nice: new Map(liveGroups().map((p) => [p, sessionNice(p)])) };
    };
    const report = await runClientAudit({
      ...base,
      catalog: clientCatalogOf([
        recording('shared.one', record('shared.one')),
        recording('own.issuer', record('own.issuer'), { discoveryFaults: ['discovery.pkce-plain-only'] }),
      ]),
    });
    expect(report.results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    const shared = seen['shared.one'];
    const own = seen['own.issuer'];
    expect(own.pid).not.toBe(shared.pid);
    // The own target was started with the run, and nothing had waited on it yet.
    expect([...shared.nice.keys()]).toEqual(expect.arrayContaining([shared.pid, own.pid]));
    if (existsSync('/proc/self/autogroup')) {
      expect(shared.nice.get(shared.pid)).toBe(0);
      expect(shared.nice.get(own.pid)).toBe(BACKGROUND_NICE);
      // Its check waits on it: an even share from then on.
      expect(own.nice.get(own.pid)).toBe(0);
    }
  });

  it('starts a check that waits for the client clock before the others and reports in catalog order', async () => {
    const started: string[] = [];
    const report = await runClientAudit({
      ...base,
      catalog: clientCatalogOf(
        ['first.listed', 'waits.clock', 'last.listed'].map((id) =>
          recording(id, () => started.push(id), id === 'waits.clock' ? { waitsForClientClock: true } : {}),
        ),
      ),
    });
    expect(started).toEqual(['waits.clock', 'first.listed', 'last.listed']);
    expect(report.results.map((r) => r.id)).toEqual(['first.listed', 'waits.clock', 'last.listed']);
  });

  it('starts one provider issuer and target process for the checks with the same discovery faults, and stops it after the last', async () => {
    const { seen, report } = await auditRecording(
      [
        ['iss.one', { discoveryFaults: ['discovery.iss-parameter'] }],
        ['plain.one', { discoveryFaults: ['discovery.pkce-plain-only'] }],
        // The same faults in another order and repeated are the same environment.
        ['iss.two', { discoveryFaults: ['discovery.iss-parameter', 'discovery.iss-parameter'] }],
        ['keys.one', { ownIssuer: true }],
        ['keys.two', { ownIssuer: true }],
      ],
      2,
    );
    expect(report.results.map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(seen['iss.one']).toEqual(seen['iss.two']);
    const distinct = (key: 'issuer' | 'pid') => new Set(Object.values(seen).map((s) => s[key])).size;
    // iss.* share one; plain.one, keys.one and keys.two have their own (ownIssuer never shares).
    expect(distinct('issuer')).toBe(4);
    expect(distinct('pid')).toBe(4);
    // Each check still shows its environment's start in the timings.
    const environments = (report.timings?.phases ?? []).filter((p) => p.name === 'environment');
    expect(environments.map((p) => p.check)).toEqual(['iss.one', 'plain.one', 'iss.two', 'keys.one', 'keys.two']);
    const [one, , two] = environments;
    expect([two.startMs, two.durationMs]).toEqual([one.startMs, one.durationMs]);
    for (const s of Object.values(seen)) expect(alive(s.pid)).toBe(false);
  });

  it('gives a check declaring ownIssuer its own provider issuer and target process without changing metadata', async () => {
    const { seen } = await auditRecording([['shared.one'], ['own.keys', { ownIssuer: true }]]);
    expect(seen['own.keys'].issuer).not.toBe(seen['shared.one'].issuer);
    expect(seen['own.keys'].pid).not.toBe(seen['shared.one'].pid);
  });

  it('hands a target that refuses to start under impostor metadata to a check that observes it, and errors otherwise', async () => {
    const REFERENCE_WEB = fileURLToPath(new URL('../../examples/reference-web/target.json', import.meta.url));
    let refused: string | undefined;
    const report = await runClientAudit({
      ...base,
      manifestPath: REFERENCE_WEB,
      checkTimeoutMs: 30_000,
      catalog: clientCatalogOf([
        fake(
          'observes.refusal',
          async (ctx) => {
            refused = ctx.startRefused;
            await expect(ctx.session()).rejects.toThrow(/did not start/);
            ctx.observe('recorded');
            return { verdict: 'pass', summary: 'refused' };
          },
          { discoveryFaults: ['discovery.issuer-mismatch'], observesStartRefusal: true },
        ),
        fake('ignores.refusal', async () => ({ verdict: 'pass', summary: 'unreachable' }), {
          discoveryFaults: ['discovery.issuer-mismatch'],
        }),
      ]),
    });
    expect(refused).toMatch(/could not be started/);
    const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({ 'observes.refusal': 'pass', 'ignores.refusal': 'error' });
    // The refused start leaves the target's discovery fetches as evidence.
    const observed = report.results.find((r) => r.id === 'observes.refusal');
    expect(observed?.transcript.length).toBeGreaterThan(0);
    // That start is part of the check's environment, started with the run, not at the check's turn:
    // the environment is ready only once the target has fetched the metadata (and refused it).
    const fetchedAt = Math.max(...(observed?.transcript ?? []).map((e) => e.at)) - Date.parse(report.startedAt);
    const phase = report.timings?.phases.find((p) => p.name === 'environment' && p.check === 'observes.refusal');
    expect(phase).toBeDefined();
    expect(phase!.startMs + phase!.durationMs).toBeGreaterThanOrEqual(fetchedAt);
  }, 90_000);

  it('scopes faults and journal views to each check by its login tag', async () => {
    const report = await runClientAudit({
      ...base,
      concurrency: 2,
      catalog: clientCatalogOf(
        ['a', 'b'].map((id) =>
          fake(`tag.${id}`, async (ctx) => {
            const s = await ctx.session();
            await s.request({ url: `${ctx.idp.endpoints.discovery}` });
            const mine = ctx.journal.entries();
            ctx.observe(`tag ${ctx.tag}: ${mine.length} entries`, { tags: mine.map((e) => e.tag) });
            return { verdict: mine.length === 1 && mine[0].tag === ctx.tag ? 'pass' : 'fail', summary: ctx.tag };
          }),
        ),
      ),
    });
    expect(report.results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    expect(report.results[0].summary).not.toBe(report.results[1].summary);
    expect(report.results[0].summary).toMatch(/^tag\.a-[0-9a-f]{8}$/);
  });

  it("holds a check's journal while it runs: a flood of other logins under a tiny cap leaves its entries", async () => {
    const fetchText = async (url: string, headers: Record<string, string> = {}): Promise<void> => {
      await (await fetch(url, { headers })).text();
    };
    const report = await runClientAudit({
      ...base,
      providerMemory: { maxTags: 2, untaggedEntries: 2 },
      catalog: clientCatalogOf([
        fake('journal.held', async (ctx) => {
          const s = await ctx.session();
          await s.request({ url: ctx.idp.endpoints.discovery });
          // An untagged fetch of the check's own, as a client's JWKS fetch is: seen in the unfiltered view.
          await fetchText(`${ctx.idp.endpoints.jwks!}?mine`);
          for (let i = 0; i < 20; i++) {
            await fetchText(ctx.idp.endpoints.discovery, { [LOGIN_TAG_HEADER]: `flood-${i}` });
            await fetchText(`${ctx.idp.endpoints.jwks!}?flood-${i}`);
          }
          const mine = ctx.journal.entries();
          const jwks = ctx.fullJournal.entries({ endpoint: 'jwks' }).map((e) => new URL(e.request.url).search);
          ctx.observe('after the flood', { mine: mine.length, jwks: jwks.length });
          return {
            verdict: mine.length === 1 && jwks.includes('?mine') && jwks.includes('?flood-19') ? 'pass' : 'fail',
            summary: `own entries ${mine.length}, own JWKS fetch ${jwks.includes('?mine') ? 'kept' : 'dropped'}`,
          };
        }),
        fake('journal.next', async (ctx) => {
          const s = await ctx.session();
          await s.request({ url: ctx.idp.endpoints.discovery });
          // The first check's hold ended with it: only this check's own tag is held now.
          const { heldTags } = (ctx.idp.journal as ProviderJournal).stats();
          ctx.observe('own entries', { n: ctx.journal.entries().length, heldTags });
          return {
            verdict: ctx.journal.entries().length === 1 && heldTags === 1 ? 'pass' : 'fail',
            summary: `a later check, tags held ${heldTags}`,
          };
        }),
      ]),
    });
    expect(report.results.map((r) => [r.verdict, r.summary])).toEqual([
      ['pass', 'own entries 1, own JWKS fetch kept'],
      ['pass', 'a later check, tags held 1'],
    ]);
    // The transcript was taken while the tag was still held.
    expect(report.results[0].transcript.filter((t) => t.agent === 'provider')).toHaveLength(1);
  });

  it('ends a check that arms a fault its declaration does not list in error, naming the fault', async () => {
    const report = await runClientAudit({
      ...base,
      catalog: clientCatalogOf([
        fake(
          'arms.declared',
          async (ctx) => {
            ctx.arm({ name: 'callback.state-altered' });
            ctx.observe('armed the declared fault');
            return { verdict: 'pass', summary: 'armed the declared fault' };
          },
          { faults: ['callback.state-altered'] },
        ),
        fake(
          'arms.undeclared',
          async (ctx) => {
            ctx.observe('arming a fault the declaration does not list');
            ctx.arm({ name: 'callback.state-missing' });
            return { verdict: 'pass', summary: 'armed an undeclared fault' };
          },
          { faults: ['callback.state-altered'] },
        ),
        fake('arms.without-faults', async (ctx) => {
          ctx.observe('arming without any declared fault');
          ctx.arm({ name: 'token.invalid-grant' });
          return { verdict: 'pass', summary: 'armed an undeclared fault' };
        }),
      ]),
    });
    expect(report.results.map((r) => [r.id, r.verdict, r.errorKind])).toEqual([
      ['arms.declared', 'pass', undefined],
      ['arms.undeclared', 'error', 'harness'],
      ['arms.without-faults', 'error', 'harness'],
    ]);
    expect(report.results[0].fault).toBe('callback.state-altered');
    expect(report.results[1].summary).toContain('callback.state-missing');
    expect(report.results[2].summary).toContain('token.invalid-grant');
  });

  it('reports a target that cannot start as a crashed run with every check in error', async () => {
    const events: RunnerEvent['type'][] = [];
    const report = await runClientAudit({
      ...base,
      manifestPath: fileURLToPath(new URL('./fixtures/no-such-command.json', import.meta.url)),
      onEvent: (e) => events.push(e.type),
      catalog: clientCatalogOf([fake('never', async () => ({ verdict: 'pass', summary: 'x' }))]),
    });
    expect(report.status).toBe('crashed');
    expect(report.results[0]).toMatchObject({ verdict: 'error', errorKind: 'target' });
    expect(report.results[0].summary).toMatch(/could not start/);
    expect(events[0]).toBe('run-start');
    expect(events.at(-1)).toBe('run-end');
  });
});

describe('shared logins', () => {
  /** A shared login that fetches the provider's metadata once, in its own tagged session. */
  function sharedProbe(calls: { n: number }): (ctx: ClientCheckContext) => Promise<{ tag: string }> {
    return async (shared) => {
      calls.n++;
      const s = await shared.session('probe');
      await s.request({ url: shared.idp.endpoints.discovery });
      shared.observe(`probe ran in tag ${shared.tag}`, { tag: shared.tag });
      return { tag: shared.tag };
    };
  }

  it('runs once for every check that asks, and gives each its value, observations, transcript and journal entries', async () => {
    const calls = { n: 0 };
    const probe = sharedProbe(calls);
    const seenTags: string[] = [];
    const report = await runClientAudit({
      ...base,
      concurrency: 3,
      catalog: clientCatalogOf([
        ...['a', 'b', 'c'].map((id) =>
          fake(`shared.${id}`, async (ctx) => {
            const { tag } = await ctx.shared('probe', probe);
            seenTags.push(tag);
            const own = await ctx.session('own');
            await own.request({ url: ctx.idp.endpoints.discovery });
            const tags = ctx.journal.entries().map((e) => e.tag);
            ctx.observe(`journal tags ${tags.join(' ')}`);
            return {
              verdict: tags.length === 2 && tags.includes(tag) && tags.includes(ctx.tag) ? 'pass' : 'fail',
              summary: tags.join(' '),
            };
          }),
        ),
        fake('shared.none', async (ctx) => {
          const own = await ctx.session('own');
          await own.request({ url: ctx.idp.endpoints.discovery });
          const tags = ctx.journal.entries().map((e) => e.tag);
          ctx.observe(`journal tags ${tags.join(' ')}`);
          return { verdict: tags.length === 1 && tags[0] === ctx.tag ? 'pass' : 'fail', summary: tags.join(' ') };
        }),
      ]),
    });
    expect(report.results.map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(calls.n).toBe(1);
    const [sharedTag] = seenTags;
    expect(new Set(seenTags)).toEqual(new Set([sharedTag]));
    expect(sharedTag).toMatch(/^shared\.probe\.http-[0-9a-f]{8}$/);
    for (const r of report.results.slice(0, 3)) {
      expect(r.observations.map((o) => o.text)).toContain(`probe ran in tag ${sharedTag}`);
      // The shared login's session and provider entries come first in each asking check's transcript.
      const provider = r.transcript.filter((t) => t.agent === 'provider');
      expect(provider).toHaveLength(2);
      expect(r.transcript.filter((t) => t.agent === 'http')).toHaveLength(2);
    }
    // The same provider entry (one request) in each of the three transcripts.
    const sharedSeqs = report.results.slice(0, 3).map((r) => r.transcript.find((t) => t.agent === 'provider')!.seq);
    expect(new Set(sharedSeqs).size).toBe(1);
    expect(report.results[3].observations.map((o) => o.text).join('\n')).not.toContain('probe ran');
    expect(report.results[3].transcript.filter((t) => t.agent === 'provider')).toHaveLength(1);
  });

  it('hands what a shared login threw to every check that asks, and lets it neither arm a fault nor nest', async () => {
    const calls = { n: 0 };
    const broken = async (): Promise<never> => {
      calls.n++;
      throw new Error('the shared login broke');
    };
    const asking = (id: string, key: string, run: (ctx: ClientCheckContext) => Promise<unknown>): ClientCheck =>
      fake(id, async (ctx) => {
        ctx.observe('asking');
        await ctx.shared(key, run);
        return { verdict: 'pass', summary: 'got it' };
      });
    const report = await runClientAudit({
      ...base,
      concurrency: 2,
      catalog: clientCatalogOf([
        asking('broken.a', 'broken', broken),
        asking('broken.b', 'broken', broken),
        asking('arms', 'arms', async (shared) => {
          shared.arm({ name: 'callback.state-altered' });
          return 1;
        }),
        asking('nests', 'nests', (shared) => shared.shared('inner', async () => 1)),
      ]),
    });
    expect(calls.n).toBe(1);
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([
      ['broken.a', 'error'],
      ['broken.b', 'error'],
      ['arms', 'error'],
      ['nests', 'error'],
    ]);
    expect(report.results[0].summary).toContain('the shared login broke');
    expect(report.results[1].summary).toContain('the shared login broke');
    expect(report.results[2].summary).toMatch(/armed the fault callback\.state-altered; shared logins arm none/);
    expect(report.results[3].summary).toMatch(/asked for another/);
  });

  it('stops a shared login that hangs at its own deadline, and gives the next check that asks its error', async () => {
    let runs = 0;
    const hang = async (): Promise<never> => {
      runs++;
      return new Promise<never>(() => undefined);
    };
    const asking = (id: string): ClientCheck =>
      fake(id, async (ctx) => {
        ctx.observe('asking');
        await ctx.shared('hang', hang);
        return { verdict: 'pass', summary: 'got it' };
      });
    const report = await runClientAudit({
      ...base,
      concurrency: 1,
      checkTimeoutMs: 800,
      catalog: clientCatalogOf([asking('hang.a'), asking('hang.b')]),
    });
    expect(runs).toBe(1);
    expect(report.results.map((r) => r.verdict)).toEqual(['error', 'error']);
    expect(report.results[0].summary).toMatch(/^Timed out/);
    expect(report.results[1].summary).toMatch(/the shared login hang\.http did not finish within 800 ms/);
  });
});

describe('the shared ordinary login of the bundled reference web client', () => {
  it('is one login for every check that needs a control or an ordinary login, with the same verdicts', async () => {
    const opts: ClientAuditOptions = {
      seed: 3,
      concurrency: 4,
      checkTimeoutMs: 20_000,
      only: ['state.present', 'pkce.present', 'leak.url', 'state.mismatch', 'id-token.signature'],
      // Without the compensating controls these verdicts would also run (their own logins).
      skip: ['flow.code-only', 'id-token.nonce', 'nonce.present', 'pkce.verifier-fresh', 'pkce.verifier-sent'].concat(
        'state.session-binding',
      ),
      catalog: await loadClientCatalog(),
    };
    const report = await runClientAudit(opts);
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([
      ['state.present', 'pass'],
      ['state.mismatch', 'pass'],
      ['pkce.present', 'pass'],
      ['pkce.s256', 'pass'],
      ['id-token.signature', 'pass'],
      ['leak.url', 'pass'],
    ]);
    // Every provider entry of the run, once: one ordinary login, then one faulted login each for the
    // two checks that inject a fault.
    const entries = new Map<number, string>();
    for (const r of report.results) {
      for (const t of r.transcript) if (t.agent === 'provider') entries.set(t.seq, t.url);
    }
    const authorizations = [...entries.values()].filter((u) => u.includes('/authorize'));
    expect(authorizations).toHaveLength(3);
    for (const r of report.results) {
      expect(
        r.observations.some((o) => /^The run's shared ordinary login \(tag shared\.ordinary\.http-/.test(o.text)),
      ).toBe(true);
    }
  });
});

describe('runClientAudit with an in-process integration', () => {
  it('imports the integration on the run port and answers its calls to the real lexoffice host from the mock', async () => {
    const report = await runClientAudit({
      ...base,
      manifestPath: fileURLToPath(new URL('./fixtures/in-process-target.json', import.meta.url)),
      catalog: clientCatalogOf([
        fake('in-process.discovery', async (ctx) => {
          const s = await ctx.session();
          const res = await s.request({ url: new URL('/issuer', ctx.target.client.redirectUri).href });
          ctx.observe(`the integration found issuer ${res.body}`);
          const logged = ctx.targetLogs().includes(`discovered ${ctx.idp.issuer}`);
          return { verdict: res.body === ctx.idp.issuer && logged ? 'pass' : 'fail', summary: res.body };
        }),
      ]),
    });
    expect(report.results[0]).toMatchObject({ verdict: 'pass' });
  });
});

describe('runClientAudit on the bundled reference web client', () => {
  it('passes the selected checks and gives the same report for the same seed', async () => {
    const opts: ClientAuditOptions = {
      seed: 3,
      only: ['pkce.downgrade-metadata', 'state.mismatch', 'state.present'],
      concurrency: 3,
      checkTimeoutMs: 20_000,
      catalog: await loadClientCatalog(),
    };
    const first = await runClientAudit(opts);
    // Catalog order, whatever order the names were given in or the checks finished in; the checks their
    // verdicts depend on (PKCE and nonce for state, pkce.s256 for the downgrade) run with them.
    expect(first.results.map((r) => r.id)).toEqual(expect.arrayContaining(['pkce.s256', 'state.session-binding']));
    expect(first.results.filter((r) => opts.only!.includes(r.id)).map((r) => [r.id, r.verdict])).toEqual([
      ['state.present', 'pass'],
      ['state.mismatch', 'pass'],
      ['pkce.downgrade-metadata', 'pass'],
    ]);
    expect(first.status).toBe('complete');
    expect(first.target).toMatchObject({ name: 'reference-web', kind: 'web' });
    const second = await runClientAudit(opts);
    expect(normalizeReportForComparison(second)).toEqual(normalizeReportForComparison(first));
  }, 60_000);
});

const registration = (clientId: string, clientSecret: string): ClientRegistration => ({
  clientId,
  clientSecret,
  authMethod: 'client_secret_basic',
  redirectUris: ['http://127.0.0.1:1/cb'],
});

describe('closing the run browser', () => {
  /** A pool that counts its closes. */
  function fakePool(): { pool: BrowserPool; closes: () => number } {
    let closes = 0;
    const pool = {
      close: async () => {
        closes++;
      },
    } as unknown as BrowserPool;
    return { pool, closes: () => closes };
  }

  it('closes the browser once the last of the checks that drive it has ended, and only once', async () => {
    const { pool, closes } = fakePool();
    const browser = browserCloser({ pool }, 2);
    browser.checkEnded();
    await Promise.resolve();
    expect(closes()).toBe(0);
    browser.checkEnded();
    await Promise.resolve();
    expect(closes()).toBe(1);
    // The end of the run closes nothing more.
    await browser.close();
    expect(closes()).toBe(1);
  });

  it('closes at the end of the run a browser whose checks did not all end, once its launch has finished', async () => {
    const { pool, closes } = fakePool();
    let launched: (p: BrowserPool) => void = () => undefined;
    const resources = { launching: new Promise<BrowserPool>((resolve) => (launched = resolve)) };
    const browser = browserCloser(resources, 3);
    browser.checkEnded();
    const closed = browser.close();
    await Promise.resolve();
    expect(closes()).toBe(0);
    launched(pool);
    await closed;
    expect(closes()).toBe(1);
  });
});

describe('the run redactor', () => {
  it('redacts what every provider of the run holds in one pass, as each provider redacting in turn does', async () => {
    const [a, b] = await Promise.all([
      createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true }),
      createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true, seed: 2 }),
    ]);
    a.registerClient(registration('app-a', 'secret-of-provider-a-123456'));
    b.registerClient(registration('app-b', 'secret-of-provider-b-654321'));
    const text =
      'first secret-of-provider-a-123456, then secret-of-provider-b-654321 and ' +
      `Basic ${Buffer.from('app-b:secret-of-provider-b-654321').toString('base64')}`;
    const redacted = redactorOf([a, b])(text);
    expect(redacted).not.toContain('provider-a-123456');
    expect(redacted).not.toContain('provider-b-654321');
    expect(redacted).not.toContain(Buffer.from('app-b:secret-of-provider-b-654321').toString('base64'));
    expect(redacted).toBe(b.redact(a.redact(text)));
  });

  it('also redacts a secret a provider holds only after the redactor was made', async () => {
    const idp = await createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true });
    const redact = redactorOf([idp]);
    expect(redact('late-secret-value-987654')).toBe('late-secret-value-987654');
    idp.registerClient(registration('late', 'late-secret-value-987654'));
    expect(redact('late-secret-value-987654')).not.toContain('value-987654');
  });
});
