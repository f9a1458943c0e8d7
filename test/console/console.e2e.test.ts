/**
 * The admin console end to end: the real dev server (as `make dev` runs it) with two tenants'
 * events, driven in headless Chromium. Every query goes through the 202 + polling path (wait
 * budget 0), so progress and cancel are exercised too. Screenshots of each screen are saved to
 * test/console/screenshots/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { freePort, type ServerProcess, startServer, stopServer } from '../e2e/local-server.js';
import {
  ACME,
  ACME_EVENTS,
  acmeEvents,
  BETA,
  BETA_EVENTS,
  BETA_SECRET,
  seedBulkDay,
  seedWorld,
  token,
} from '../fixtures/console-world.js';
import { launchChromium, screenshot } from './browser.js';

let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const now = new Date();
const pageErrors: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oplake-console-'));
  server = await startServer(dataDir, await freePort(), 30_000, {
    OPLAKE_WAIT_BUDGET_MS: '0',
    OPLAKE_MAX_CONCURRENT_QUERIES: '10',
    // The last days' objects are a few KB; the bulk day's ~100 KB: 30 days hit the cutoff.
    OPLAKE_SCAN_CUTOFF_BYTES: '40000',
  });
  await seedWorld(server.url, dataDir, now);
  await seedBulkDay(server.url, dataDir, now);
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'Asia/Tokyo',
    locale: 'en-GB',
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The 401s and 422s the expired-token and scan-limit tests provoke are expected; anything else (a CSP violation is one) is not.
    if (message.type() === 'error' && !/status of (401|422) /.test(message.text()))
      pageErrors.push(message.text());
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server, 'SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
});

const rowIds = () =>
  page.$$eval('table.events tbody tr', (rows) => rows.map((r) => r.getAttribute('data-event-id')));
const cells = (column: number) =>
  page.$$eval(
    'table.events tbody tr',
    (rows, i) => rows.map((r) => r.children[i]?.textContent ?? ''),
    column,
  );

async function signIn(value: string): Promise<void> {
  await page.fill('#token', value);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // the sign-in button, by keyboard
}

async function search(): Promise<void> {
  await page.click('.search-form button.primary');
  await page.waitForSelector('.status .spinner', { state: 'detached' });
}

describe('admin console in Chromium', () => {
  it('refuses what is not a search token, with a sentence', async () => {
    await page.goto(`${server.url}/`);
    await expect(page.locator('form.sign-in h1').textContent()).resolves.toBe('Sign in');
    await screenshot(page, '01-sign-in');
    await signIn('not-a-token');
    await expect(page.locator('.sign-in [role=alert]').textContent()).resolves.toContain(
      'This is not a token',
    );
    await signIn(await token(dataDir, ACME, 'ingest'));
    await expect(page.locator('.sign-in [role=alert]').textContent()).resolves.toContain(
      'not a search token',
    );
  });

  it('signs in; the token stays in sessionStorage only, never in the URL', async () => {
    const search = await token(dataDir, ACME, 'search');
    await signIn(search);
    await page.waitForSelector('header .tenant');
    await expect(page.locator('header .tenant strong').textContent()).resolves.toBe(ACME);
    // Evaluated in the page (strings: this file is compiled without the DOM's types).
    const stored = await page.evaluate<{ session: string[]; local: string[]; url: string }>(
      '({ session: Object.values(sessionStorage), local: Object.values(localStorage), url: location.href })',
    );
    expect(stored.session).toEqual([search]);
    expect(stored.local.join()).not.toContain(search.slice(0, 20));
    expect(stored.url).toBe(`${server.url}/`);
  });

  it('searches the last 7 days newest first, with a histogram, and pages with the cursor', async () => {
    await search();
    await expect(page.locator('#histogram').isVisible()).resolves.toBe(true);
    await expect(page.locator('.histogram h2').textContent()).resolves.toBe('Matching events per day');
    expect(await rowIds()).toEqual(Array.from({ length: 50 }, (_, i) => `a-${i}`));
    // Times are shown in the browser's time zone (Asia/Tokyo here).
    const first = acmeEvents(now)[0];
    const shown = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tokyo',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).format(new Date(first?.ts ?? ''));
    expect((await cells(0))[0]).toBe(shown);
    await screenshot(page, '02-search');

    await page.click('.results-head button.next');
    await page.waitForSelector('tr[data-event-id="a-50"]');
    await page.click('.results-head button.next');
    await page.waitForSelector('tr[data-event-id="a-100"]');
    expect(await rowIds()).toEqual(Array.from({ length: ACME_EVENTS - 100 }, (_, i) => `a-${100 + i}`));
    await expect(page.locator('.results-head button.next').isDisabled()).resolves.toBe(true);
    await page.click('.results-head button.prev');
    await page.waitForSelector('tr[data-event-id="a-50"]');
    await expect(page.locator('.page-no').textContent()).resolves.toBe('Page 2');
  });

  it('filters by type and user, then by a clicked value', async () => {
    await page.check('input[name=type][value=web]');
    await page.fill('input[name=user]', 'yamada');
    await search();
    const expected = acmeEvents(now)
      .filter((e) => e.type === 'web' && e.user === 'yamada')
      .map((e) => e.eventId);
    expect(expected.length).toBeGreaterThan(3);
    expect(await rowIds()).toEqual(expected);

    await page.click('table.events tbody tr:first-child button.chip[data-filter=domain]');
    await page.waitForSelector('.status .spinner', { state: 'detached' });
    await expect(page.locator('input[name=domain]').inputValue()).resolves.toBe('intra.example.co.jp');
    const byDomain = acmeEvents(now)
      .filter((e) => e.type === 'web' && e.user === 'yamada' && e.url?.includes('intra.example.co.jp'))
      .map((e) => e.eventId);
    await page.waitForFunction(
      `document.querySelectorAll('table.events tbody tr').length === ${byDomain.length}`,
    );
    expect(await rowIds()).toEqual(byDomain);
    await screenshot(page, '03-search-filtered');
  });

  it('opens the whole event from a row, by keyboard, and closes it with Escape', async () => {
    await page.focus('table.events tbody tr:first-child');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.event[open]');
    const text = await page.locator('dialog.event').textContent();
    const first = (await rowIds())[0] ?? '';
    expect(text).toContain(first);
    expect(text).toContain('https://intra.example.co.jp/wiki');
    await screenshot(page, '04-event');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.event', { state: 'detached' });
  });

  it('switches to Japanese, remembers it across a reload, and back', async () => {
    await page.selectOption('#lang', 'ja');
    await expect(page.locator('button.sign-out').textContent()).resolves.toBe('サインアウト');
    await expect(page.locator('table.events th').first().textContent()).resolves.toBe('日時');
    await page.reload();
    await page.waitForSelector('header .tenant');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja');
    await expect(page.locator('.search-form button.primary').textContent()).resolves.toBe('検索');
    await search();
    await screenshot(page, '05-search-ja');
    await page.selectOption('#lang', 'en');
    await expect(page.locator('button.sign-out').textContent()).resolves.toBe('Sign out');
  });

  it('draws hours for a short range, and words the scan limit with advice to narrow the range', async () => {
    await page.selectOption('#search-preset', 'today');
    await search();
    await expect(page.locator('.histogram h2').textContent()).resolves.toBe('Matching events per hour');
    await page.selectOption('#search-preset', '30d');
    await search();
    await expect(page.locator('.status [role=alert]').textContent()).resolves.toBe(
      'This search would read more data than allowed. Narrow the time range, or add a type or a filter, and search again.',
    );
    await screenshot(page, '05-scan-limit');
    await page.selectOption('#search-preset', '7d');
  });

  it('shows a running query with its progress; Cancel stops it on the server and stops polling', async () => {
    await page.click('.search-form button[type=button]'); // Clear
    // Every request of the page to /v1/search/{queryId}: the polls (GET) and the cancels (DELETE).
    const calls: { method: string; queryId: string; status: number; body: string }[] = [];
    const onResponse = async (response: Response) => {
      const match = /\/v1\/search\/([^/?]+)$/.exec(new URL(response.url()).pathname);
      if (!match?.[1]) return;
      const body = await response.text().catch(() => '');
      calls.push({ method: response.request().method(), queryId: match[1], status: response.status(), body });
    };
    page.on('response', onResponse);
    // A wait budget of 0 still lets a fast query answer at once: search until one runs past it.
    let cancelled = false;
    for (let attempt = 0; attempt < 10 && !cancelled; attempt += 1) {
      await page.click('.search-form button.primary');
      const progress = await page
        .locator('.status .progress')
        .textContent({ timeout: 2_000 })
        .catch(() => null);
      if (progress === null) continue;
      expect(progress).toMatch(/^Searching… \d+ s$/);
      calls.length = 0;
      cancelled = await page
        .click('.status button.cancel', { timeout: 1_000 })
        .then(() => true)
        .catch(() => false);
      await page.waitForSelector('.status .spinner', { state: 'detached' });
    }
    expect(cancelled).toBe(true);
    await expect(page.locator('.status [role=alert]').textContent()).resolves.toBe(
      'The search was cancelled.',
    );
    // Longer than the client's poll interval (1 s): a poll still going on would show here.
    await page.waitForTimeout(2_500);
    page.off('response', onResponse);
    const deletes = calls.filter((c) => c.method === 'DELETE');
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    for (const d of deletes) {
      expect(d.status).toBe(200);
      // `succeeded` when the (small) query ended between the last poll and the click.
      expect(JSON.parse(d.body)).toEqual({
        queryId: d.queryId,
        status: expect.stringMatching(/^(cancelled|succeeded)$/),
      });
      const after = calls
        .slice(calls.indexOf(d) + 1)
        .filter((c) => c.queryId === d.queryId && c.method === 'GET');
      expect(after).toEqual([]);
    }
  });

  it('shows each report as a chart with its numbers, and downloads the CSV', async () => {
    await page.click('button.nav[data-view=reports]');
    const events = acmeEvents(now);
    const usage = new Map<string, number>();
    for (const e of events) if (e.app) usage.set(e.app, (usage.get(e.app) ?? 0) + (e.durationMs ?? 0));
    const topApp = [...usage.entries()].sort((a, b) => b[1] - a[1])[0];

    for (const report of ['apps', 'domains', 'daily'] as const) {
      await page.click(`button[data-report=${report}]`);
      await page.waitForSelector(`#chart-${report}`);
      await expect(page.locator(`#chart-${report}`).isVisible()).resolves.toBe(true);
      await screenshot(page, `06-report-${report}`);
    }
    // Events per day: the counts add up to every event of the range.
    const daily = await page.$$eval('table.numbers tbody tr td:last-child', (tds) =>
      tds.map((td) => Number((td.textContent ?? '').replace(/,/g, ''))),
    );
    expect(daily.reduce((a, b) => a + b, 0)).toBe(ACME_EVENTS);

    await page.click('button[data-report=apps]');
    await page.waitForSelector('#chart-apps');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.report-head button.csv'),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(download.suggestedFilename()).toBe('oplake-apps.csv');
    expect(lines[0]).toBe('key,durationMs,count');
    expect(lines[1]).toBe(
      `${topApp?.[0]},${topApp?.[1]},${events.filter((e) => e.app === topApp?.[0]).length}`,
    );
    expect(lines).toHaveLength(usage.size + 1);

    await page.click('button[data-report=subject]');
    await page.fill('#subject-value', 'sato');
    await page.click('.report-form button.primary');
    await page.waitForSelector('#chart-subject');
    const counts = await page.$$eval('table.numbers tbody tr td:last-child', (tds) =>
      tds.map((td) => Number(td.textContent ?? '0')),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(events.filter((e) => e.user === 'sato').length);
    await screenshot(page, '06-report-subject');
  });

  it('goes back to sign-in with a clear message once the token has expired', async () => {
    await page.click('button.sign-out');
    await page.waitForSelector('form.sign-in');
    await expect(page.locator('.sign-in .notice').textContent()).resolves.toBe('You have signed out.');
    await expect(page.evaluate<number>('sessionStorage.length')).resolves.toBe(0);
    await signIn(await token(dataDir, ACME, 'search', 2));
    await page.waitForSelector('header .tenant');
    await page.waitForTimeout(2_100);
    await page.click('.search-form button.primary');
    await page.waitForSelector('form.sign-in');
    await expect(page.locator('.sign-in [role=alert]').textContent()).resolves.toContain('expired');
    await expect(page.evaluate<number>('sessionStorage.length')).resolves.toBe(0);
    await screenshot(page, '07-expired');
  });

  it("another tenant's token sees nothing of the first", async () => {
    await signIn(await token(dataDir, BETA, 'search'));
    await page.waitForSelector('header .tenant');
    await search();
    const ids = await rowIds();
    expect(ids).toHaveLength(BETA_EVENTS);
    expect(ids.every((id) => id?.startsWith('b-'))).toBe(true);
    await page.click('button.sign-out');
    await signIn(await token(dataDir, ACME, 'search'));
    await page.waitForSelector('header .tenant');
    await page.fill('input[name=text]', BETA_SECRET);
    await search();
    await expect(page.locator('.results .empty').textContent()).resolves.toBe('No events match.');
  });

  it('raised no page error and no Content-Security-Policy violation', () => {
    expect(pageErrors).toEqual([]);
  });
});
