/**
 * Opens the HTML report of an audit whose target put script and markup into every field it controls,
 * in a real Chromium from file://: no dialog opens, no injected script runs, nothing is fetched, the
 * text is shown escaped, and the filters work.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { writeReports } from '../reports/output.js';
import { HOSTILE_PAYLOADS, hostileReport } from '../reports/testing/fixtures.js';

let dir: string;
let url: string;
const report = hostileReport();

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lh-html-e2e-'));
  const [html] = await writeReports(report, { formats: ['html'], outDir: dir });
  url = pathToFileURL(html).href;
});

test.afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Watch {
  dialogs: string[];
  requests: string[];
  errors: string[];
}

async function open(page: Page): Promise<Watch> {
  const watch: Watch = { dialogs: [], requests: [], errors: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => watch.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  // The report's own script marks the page once its filters are wired: it ran under the CSP.
  await expect(page.locator('html')).toHaveAttribute('data-filters', 'ready');
  return watch;
}

const visibleFindings = (page: Page) => page.locator('details.finding:visible');

test('no dialog opens, no injected script runs and nothing is fetched', async ({ page }) => {
  const watch = await open(page);
  // Give any injected handler (onerror, onload) the chance to run: expand everything, then wait a frame.
  await page.click('#expand-all');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  expect(watch.dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __lhXss?: unknown }).__lhXss)).toBeUndefined();
  expect(watch.requests).toEqual([url]);
  expect(watch.errors).toEqual([]);
  expect(await page.locator('img, iframe, object, embed, link, base').count()).toBe(0);
  expect(await page.locator('svg[onload], [onerror], [onclick]').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
  expect(await page.locator('script').count()).toBe(2);
  for (const href of await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
    // In-page links to a compensating control's result load nothing; every other link is http(s).
    expect(href).toMatch(/^(https?:\/\/|#check-)/);
  }
});

test('the payload text is shown as text, escaped, in every field the target controls', async ({ page }) => {
  await open(page);
  await page.click('#expand-all');
  await expect(page).toHaveTitle(/^Login audit: acme <script>alert\(1\)<\/script> <img src=x onerror=alert\(1\)>/);
  await expect(page.locator('h1')).toContainText(`acme ${HOSTILE_PAYLOADS[0]} ${HOSTILE_PAYLOADS[1]}`);
  const meta = page.locator('ul.meta');
  await expect(meta).toContainText(`Kind: web${HOSTILE_PAYLOADS[0]}`);
  await expect(meta).toContainText(`Profile: lexoffice ${HOSTILE_PAYLOADS[0]}`);
  await expect(meta).toContainText(`Manifest: targets/${HOSTILE_PAYLOADS[0]}`);
  for (const payload of HOSTILE_PAYLOADS.slice(0, 9)) await expect(meta).toContainText(payload);
  const first = page.locator('details.finding').first();
  await expect(first.locator('.summary')).toContainText(HOSTILE_PAYLOADS[4]);
  await expect(first.locator('ul.obs')).toContainText(`Observed ${HOSTILE_PAYLOADS[0]}`);
  await expect(first.locator('ul.obs pre')).toContainText(`"body": "${HOSTILE_PAYLOADS[0]}`);
  const transcript = first.locator('pre.request');
  await expect(transcript.first()).toContainText(`returnTo=${encodeURIComponent(HOSTILE_PAYLOADS[0])}`);
  await expect(transcript.last()).toContainText(HOSTILE_PAYLOADS[6]);
  await expect(first.locator('pre.response').last()).toContainText(
    `x-target: acme`.replace('acme', HOSTILE_PAYLOADS[0]),
  );
  await expect(first.locator('.exchange .head').last()).toContainText(HOSTILE_PAYLOADS[3]);
  // The planted javascript: reference is shown as text, not as a link.
  const evil = page.locator('ul.refs li', { hasText: 'evil' });
  await expect(evil).toContainText('javascript:alert(1)');
  expect(await evil.locator('a').count()).toBe(0);
  // The sequence diagram is drawn from the transcript, labels as text.
  await expect(first.locator('svg.sequence')).toContainText('POST /token');
});

test('the filters narrow the list by verdict, severity and text', async ({ page }) => {
  await open(page);
  const total = report.results.length;
  await expect(visibleFindings(page)).toHaveCount(total);
  await expect(page.locator('#shown-count')).toHaveText(String(total));

  for (const v of ['error', 'warn', 'not-applicable', 'pass']) await page.uncheck(`input[name=verdict][value="${v}"]`);
  await expect(visibleFindings(page)).toHaveCount(report.summary.fail);
  for (const f of await visibleFindings(page).all()) await expect(f).toHaveAttribute('data-verdict', 'fail');

  await page.uncheck('input[name=severity][value=critical]');
  await expect(visibleFindings(page)).toHaveCount(report.summary.fail - report.summary.failBySeverity.critical);
  await page.check('input[name=severity][value=critical]');

  for (const v of ['error', 'warn', 'not-applicable', 'pass']) await page.check(`input[name=verdict][value="${v}"]`);
  await page.fill('#q', 'alg-none');
  await expect(visibleFindings(page)).toHaveCount(1);
  await expect(visibleFindings(page).first()).toHaveAttribute('data-check', 'id-token.alg-none');
  await expect(page.locator('#none-shown')).toBeHidden();

  // Searching for the payload's text finds it as text.
  await page.fill('#q', '<script>alert(1)</script>');
  await expect(visibleFindings(page)).toHaveCount(total);

  await page.fill('#q', 'no check mentions this');
  await expect(visibleFindings(page)).toHaveCount(0);
  await expect(page.locator('#none-shown')).toBeVisible();
  await expect(page.locator('#shown-count')).toHaveText('0');
});
