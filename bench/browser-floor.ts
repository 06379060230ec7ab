/**
 * The browser's own floor under a SPA audit: what Chromium alone spends on logins of the reference SPA
 * when nothing but Playwright drives it (no route, no listeners, no page scripts, no checks), and how
 * many logins' worth of pages an audit loads.
 *
 * One bare login: the SPA's `/login` page (its scripts fetch the provider's metadata and send the
 * browser to the authorization endpoint), the provider's redirect, the `/callback` page (token request,
 * JWKS, userinfo and an API call), then the cookies cleared and the tab taken to about:blank, as a
 * context is reset between an audit's sessions. The audit's pages are counted from its report: its
 * browser's HTML documents, two per bare login (checks that stop at the authorization request load one).
 * Their product is CPU that no harness, however light, saves on this browser and machine.
 *
 * Next to it, the same login in a context of the harness's own pool (harness/agents/browser-pool.ts,
 * with no session holding it): the route every request of the context passes, the request and response
 * listeners, the paused document responses, the init scripts with their bindings, and the pool's reset
 * between two sessions instead of the bare one's. What that adds per login is the price of the
 * harness's plumbing alone, before any check looks at what it collected. Bare and pooled logins run in
 * rounds, alternating which goes first, so both see the same machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PooledContext, VIEWPORT } from '../harness/agents/browser-pool.js';
import { CHROMIUM_ARGS, findChromium } from '../harness/browser/find-chromium.js';
import { chromium } from '../harness/browser/playwright-core.js';
import type { Page } from 'playwright-core';
import { freeLoopbackPort } from '../harness/target/index.js';
import type { Report } from '../reports/model.js';
import { parseProcStat } from './idp/measure.js';
import { nodeTransport } from './idp/providers.js';

/** What a login of the reference SPA costs. */
export interface BrowserLoginCost {
  logins: number;
  /** CPU ms of Chromium's processes (browser, renderers, zygotes) per login. */
  chromiumMsPerLogin: number;
  /** CPU ms of this process per login (Playwright's client, the mock provider and the SPA's server). */
  driverMsPerLogin: number;
  wallMsPerLogin: number;
}

/**
 * CPU ms used so far by every live descendant of `root` whose command name looks like Chromium's, from
 * `/proc` (Chromium's processes live as long as the browser, so none is missed by having exited);
 * undefined where there is no `/proc`.
 */
export function chromiumCpuMs(root: number = process.pid, procDir = '/proc'): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync(procDir).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const stats = new Map<number, { ppid: number; comm: string; cpuMs: number }>();
  for (const pid of entries) {
    try {
      const stat = parseProcStat(readFileSync(`${procDir}/${pid}/stat`, 'utf8'));
      if (stat) stats.set(Number(pid), stat);
    } catch {
      // Gone meanwhile.
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid, hops = 0; p !== undefined && hops < 64; p = stats.get(p)?.ppid, hops++) {
      if (p === root) return true;
    }
    return false;
  };
  let cpuMs = 0;
  for (const [pid, s] of stats) if (/chrom|headless/i.test(s.comm) && isDescendant(pid)) cpuMs += s.cpuMs;
  return cpuMs;
}

/**
 * The report's browser HTML documents: pages the audit's browser loaded. A shared login's pages are in
 * the transcript of every check that used it (docs/ARCHITECTURE.md, "Shared logins"): an entry an earlier
 * check already carried (same time, sequence number and URL) is counted once.
 */
export function browserDocuments(report: Pick<Report, 'results'>): number {
  let documents = 0;
  const counted = new Set<string>();
  for (const result of report.results) {
    const mine: string[] = [];
    for (const entry of result.transcript) {
      if (entry.agent !== 'browser' || entry.method !== 'GET') continue;
      const type = entry.responseHeaders?.['content-type'] ?? '';
      if (!type.startsWith('text/html')) continue;
      const key = `${entry.at} ${entry.seq} ${entry.url}`;
      if (counted.has(key)) continue;
      mine.push(key);
      documents++;
    }
    for (const key of mine) counted.add(key);
  }
  return documents;
}

/** A bare login's cost, and the same login's in a context of the harness's pool. */
export interface SpaLoginCosts {
  bare: BrowserLoginCost;
  pooled: BrowserLoginCost;
}

/** Logins per round of each kind (see {@link spaLoginCosts}). */
const PER_ROUND = 2;

/**
 * Runs `warmup` and then `logins` logins of each kind, bare and in a pooled context, of the reference
 * SPA against our mock (compiled, as the audit runs it, when `dist/` is up to date) in one Chromium
 * started with the harness's arguments; undefined where Chromium's CPU cannot be read (no `/proc`).
 */
export async function spaLoginCosts(opts: { logins: number; warmup?: number }): Promise<SpaLoginCosts | undefined> {
  if (chromiumCpuMs() === undefined) return undefined;
  const {
    module: { startMockIdp },
  } = await nodeTransport();
  const { createSpaServer } = await import('../examples/reference-spa/server.js');
  const mock = await startMockIdp({ profile: 'lexoffice', seed: 1 });
  const closers: Array<() => Promise<void>> = [() => mock.close()];
  try {
    // The SPA's configuration names its redirect URI, so its port is picked before it is built.
    const port = await freeLoopbackPort();
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    mock.idp.registerClient({ clientId: 'reference-spa', authMethod: 'none', redirectUris: [redirectUri] });
    const spa = createSpaServer({
      issuer: mock.idp.issuer,
      clientId: 'reference-spa',
      redirectUri,
      scopes: ['openid', 'profile', 'contact.read', 'invoice.read'],
      apiBaseUrl: mock.idp.apiBaseUrl,
      port,
      host: '127.0.0.1',
    });
    await new Promise<void>((resolve, reject) => {
      spa.once('error', reject);
      spa.listen(port, '127.0.0.1', () => resolve());
    });
    closers.push(() => new Promise<void>((resolve) => spa.close(() => resolve())));
    const executablePath = findChromium();
    if (!executablePath) throw new Error('no Chromium found for the browser floor');
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    closers.push(() => browser.close());
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const slot = await PooledContext.create(browser);
    const profileUrl = `${mock.idp.apiBaseUrl}/v1/profile`;
    const signIn = async (on: Page): Promise<void> => {
      // The API call is the login's last request: the SPA makes it once signed in.
      const signedIn = on.waitForResponse((r) => r.url() === profileUrl && r.status() === 200);
      await on.goto(`http://127.0.0.1:${port}/login`);
      await signedIn;
    };
    const kinds = {
      bare: async (): Promise<void> => {
        await signIn(page);
        await context.clearCookies();
        await page.goto('about:blank');
      },
      pooled: async (): Promise<void> => {
        await signIn(slot.page);
        // The pool's own page listeners saw the login's documents: it ran in the pooled context, with all of
        // the pool's plumbing, and the reset below has those origins to clear.
        if (slot.documentOrigins.size === 0)
          throw new Error("the pooled context's listeners saw no document of the login");
        if (!(await slot.reset())) throw new Error('the pooled context could not be reset after a login');
      },
    };
    const totals = {
      bare: { chromiumMs: 0, ownMs: 0, wallMs: 0, logins: 0 },
      pooled: { chromiumMs: 0, ownMs: 0, wallMs: 0, logins: 0 },
    };
    for (let i = 0; i < (opts.warmup ?? 3); i++) {
      await kinds.bare();
      await kinds.pooled();
    }
    for (let round = 0; totals.bare.logins < opts.logins; round++) {
      const order = round % 2 === 0 ? (['bare', 'pooled'] as const) : (['pooled', 'bare'] as const);
      const n = Math.min(PER_ROUND, opts.logins - totals.bare.logins);
      for (const kind of order) {
        const chromiumBefore = chromiumCpuMs()!;
        const ownBefore = process.cpuUsage();
        const started = performance.now();
        for (let i = 0; i < n; i++) await kinds[kind]();
        const t = totals[kind];
        t.wallMs += performance.now() - started;
        const own = process.cpuUsage(ownBefore);
        t.ownMs += (own.user + own.system) / 1000;
        t.chromiumMs += chromiumCpuMs()! - chromiumBefore;
        t.logins += n;
      }
    }
    const cost = (t: (typeof totals)['bare']): BrowserLoginCost => ({
      logins: t.logins,
      chromiumMsPerLogin: t.chromiumMs / t.logins,
      driverMsPerLogin: t.ownMs / t.logins,
      wallMsPerLogin: t.wallMs / t.logins,
    });
    return { bare: cost(totals.bare), pooled: cost(totals.pooled) };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

/**
 * The least wall time Chromium's own work for `documents` SPA pages takes on `cpus` CPUs, at `cost`
 * per bare login of two pages.
 */
export function browserFloorSeconds(cost: BrowserLoginCost, documents: number, cpus: number): number {
  return floorSeconds(cost.chromiumMsPerLogin, documents, cpus);
}

/**
 * The least wall time `documents` SPA pages take on `cpus` CPUs at `cost` per login of two pages,
 * counting the driving process's CPU as well as Chromium's: for the pooled logins, what the audit's
 * logins alone cost with the harness's plumbing, before any check's own work.
 */
export function loginFloorSeconds(cost: BrowserLoginCost, documents: number, cpus: number): number {
  return floorSeconds(cost.chromiumMsPerLogin + cost.driverMsPerLogin, documents, cpus);
}

/** `msPerLogin` of CPU for each login of two of `documents` pages, spread perfectly over `cpus` CPUs, in seconds. */
function floorSeconds(msPerLogin: number, documents: number, cpus: number): number {
  return (msPerLogin * (documents / 2)) / 1000 / Math.max(1, cpus);
}
