import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  findChromium,
  OWN_DISABLED_FEATURES,
  OWN_ENABLED_FEATURES,
  SYSTEM_CANDIDATES,
} from './find-chromium.js';

/** The command line of the Chromium browser process this process launched (`ps`, so Linux and macOS). */
function launchedCommandLine(): string {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8', maxBuffer: 1 << 24 })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null);
  const mine = rows.find((m) => Number(m[2]) === process.pid && m[3].includes('--remote-debugging-pipe'));
  if (!mine) throw new Error('the launched Chromium is not among the child processes');
  return mine[3];
}

describe('CHROMIUM_ARGS', () => {
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error('no Chromium found');
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['disable', OWN_DISABLED_FEATURES],
    ['enable', OWN_ENABLED_FEATURES],
  ] as const)(
    "%ss every feature Playwright's launcher does, and its own, since Chromium honours only the last such switch",
    (verb, own) => {
      const switchPattern = new RegExp(`--${verb}-features=(\\S+)`, 'g');
      const lists = [...launchedCommandLine().matchAll(switchPattern)].map((m) => m[1].split(','));
      expect(lists.length).toBeGreaterThanOrEqual(2);
      const playwrights = lists[0];
      const effective = lists[lists.length - 1];
      expect(effective).toEqual(expect.arrayContaining(playwrights));
      expect(effective).toEqual(expect.arrayContaining([...own]));
    },
  );

  it('runs the network service and the display compositor in the browser process, no process of their own', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.setHeader('set-cookie', 'k=v');
      res.end('<p>x</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    const cdp = await browser.newBrowserCDPSession();
    try {
      const page = await context.newPage();
      const { port } = server.address() as AddressInfo;
      const res = await page.goto(`http://127.0.0.1:${port}/`);
      // The page was fetched, its cookie kept and the page drawn, all without those processes.
      expect(res?.status()).toBe(200);
      expect((await context.cookies()).map((c) => c.name)).toEqual(['k']);
      expect((await page.screenshot()).length).toBeGreaterThan(0);
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: Array<{ type: string }>;
      };
      expect(processInfo.map((p) => p.type).filter((t) => t !== 'renderer' && t !== 'browser')).toEqual([]);
    } finally {
      await cdp.detach();
      await context.close();
      server.close();
    }
  });

  it('opens a context without the browser window pages of an address bar', async () => {
    const context = await browser.newContext();
    try {
      await (await context.newPage()).goto('data:text/html,<p>x</p>');
      const cdp = await browser.newBrowserCDPSession();
      const { targetInfos } = (await cdp.send('Target.getTargets')) as {
        targetInfos: Array<{ type: string; url: string }>;
      };
      await cdp.detach();
      expect(targetInfos.filter((t) => t.type !== 'page').map((t) => t.url)).toEqual([]);
      expect(targetInfos.filter((t) => t.type === 'page').map((t) => t.url)).toEqual(['data:text/html,<p>x</p>']);
    } finally {
      await context.close();
    }
  });

  it("keeps one renderer for a context's page across navigations to other sites and about:blank", async () => {
    // Two loopback origins (ports) and a name that is another site (localhost).
    const servers: Server[] = [];
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const server = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end('<script>localStorage.setItem("k", "v")</script><p>x</p>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const { port } = server.address() as AddressInfo;
      urls.push(`http://127.0.0.1:${port}/`, `http://localhost:${port}/`);
    }
    const context = await browser.newContext();
    const cdp = await browser.newBrowserCDPSession();
    try {
      const renderers = new Set<number>();
      const note = async (): Promise<void> => {
        const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
          processInfo: Array<{ type: string; id: number }>;
        };
        for (const p of processInfo) if (p.type === 'renderer') renderers.add(p.id);
      };
      const page = await context.newPage();
      for (const url of [...urls, ...urls]) {
        await page.goto(url);
        await note();
        await page.goto('about:blank');
        await note();
      }
      // Navigations like these used to start a renderer each, and a spare one for the next.
      expect([...renderers]).toHaveLength(1);
    } finally {
      await cdp.detach();
      await context.close();
      for (const server of servers) server.close();
    }
  });
});

describe('findChromium', () => {
  let dir: string;
  let saved: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'find-chromium-'));
    for (const name of ['chromium-headless-shell', 'chromium']) writeFileSync(path.join(dir, name), '');
    saved = process.env.LOGIN_HARNESS_BROWSER;
    delete process.env.LOGIN_HARNESS_BROWSER;
  });
  afterAll(() => {
    if (saved !== undefined) process.env.LOGIN_HARNESS_BROWSER = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Playwright's own browser, which comes before any system one when installed. */
  function playwrightsOwn(): string | undefined {
    try {
      const own = chromium.executablePath();
      return own && existsSync(own) ? own : undefined;
    } catch {
      return undefined;
    }
  }

  it("prefers the system's headless shell to its full Chromium, in the order of the system list", () => {
    const shell = path.join(dir, 'chromium-headless-shell');
    const full = path.join(dir, 'chromium');
    expect(SYSTEM_CANDIDATES[0]).toBe('/usr/bin/chromium-headless-shell');
    expect(findChromium(undefined, [shell, full])).toBe(playwrightsOwn() ?? shell);
    expect(findChromium(undefined, [path.join(dir, 'missing-headless-shell'), full])).toBe(playwrightsOwn() ?? full);
    expect(findChromium(undefined, [path.join(dir, 'none')])).toBe(playwrightsOwn());
  });

  it('takes an explicit path, then LOGIN_HARNESS_BROWSER, before any it finds', () => {
    expect(findChromium('/opt/mine/chrome', [path.join(dir, 'chromium')])).toBe('/opt/mine/chrome');
    process.env.LOGIN_HARNESS_BROWSER = '/opt/env/chrome';
    try {
      expect(findChromium(undefined, [path.join(dir, 'chromium')])).toBe('/opt/env/chrome');
    } finally {
      delete process.env.LOGIN_HARNESS_BROWSER;
    }
  });
});
