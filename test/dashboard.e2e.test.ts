/**
 * The dashboard end to end: the built UI served by the real API server at `/`, driven in Chromium
 * (playwright-core with Debian's /usr/bin/chromium, or CHROMIUM_PATH), over seeded telemetry.
 * What a product manager sees is compared with what the GraphQL API answers.
 *
 * UPDATE_SCREENSHOTS=1 writes the screenshots to docs/dashboard.png and docs/settings-telemetry.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isDashboardBuilt } from '@telemetry/dashboard';
import { rng } from './support/events.ts';
import { startTestServer, TOKENS, waitFor, type TestServer } from './support/server.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAY_MS = 86_400_000;
const SEED_DAYS = 45;

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** The dashboard's default range: the last 30 UTC days, today included. */
const defaultRange = () => ({ from: dayOf(Date.now() - 29 * DAY_MS), to: dayOf(Date.now()) });

/**
 * 45 days of a desktop product: 150 users first seen on staggered days (so there are cohorts),
 * each active on a decaying share of later days with a session of feature use, startup and response
 * timings, and crashes that depend on the app version.
 */
function seedEvents(nowMs: number): Record<string, unknown>[] {
  const random = rng(20261125);
  const today = Date.parse(`${dayOf(nowMs)}T00:00:00Z`);
  const versions = ['2.0.0', '2.1.0', '2.2.0'];
  const oses = ['windows', 'macos', 'linux'];
  const countries = ['US', 'DE', 'FR', 'JP', 'BR'];
  const licenses = ['trial', 'standard', 'enterprise'];
  const features = ['export_pdf', 'dark_mode', 'cloud_sync', 'templates'];
  const events: Record<string, unknown>[] = [];
  let n = 0;
  for (let user = 0; user < 150; user++) {
    const firstDay = SEED_DAYS - 1 - Math.floor(random() * SEED_DAYS);
    const version = versions[user % 3];
    const os = oses[user % oses.length];
    const base = { productId: user % 4 === 0 ? 'viewer' : 'studio', userId: `user-${user}`, appVersion: version, os, country: countries[user % 5], licenseType: licenses[user % 3], licenseId: `lic-${user % 40}` };
    for (let daysAgo = firstDay; daysAgo >= 0; daysAgo--) {
      const sinceFirst = firstDay - daysAgo;
      if (sinceFirst > 0 && random() > 0.55 * Math.pow(0.93, sinceFirst)) continue;
      const start = Math.min(today - daysAgo * DAY_MS + Math.floor(random() * 18 * 3_600_000), nowMs - 60_000 * (1 + (n % 50)));
      const sessionId = `s-${user}-${daysAgo}`;
      const at = (offsetMs: number) => new Date(start + offsetMs).toISOString();
      const push = (event: Record<string, unknown>) => events.push({ eventId: `e${n++}`, sessionId, ...base, ...event });
      push({ type: 'session_start', timestamp: at(0) });
      push({ type: 'performance', name: 'startup', value: Math.round((os === 'linux' ? 1500 : os === 'macos' ? 900 : 1200) * (0.6 + random())), timestamp: at(1_000) });
      for (const feature of features) {
        if (random() < 0.3 + 0.15 * features.indexOf(feature)) push({ type: 'feature_used', name: feature, timestamp: at(5_000) });
      }
      push({ type: 'performance', name: 'response', value: Math.round(120 * (0.5 + random())), timestamp: at(8_000) });
      if (random() < (version === '2.2.0' ? 0.12 : 0.03)) push({ type: 'crash', name: 'NullReferenceException', timestamp: at(9_000) });
      push({ type: 'session_end', value: 30_000, timestamp: at(10_000) });
    }
  }
  return events;
}

describe('dashboard served by the API, in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seeded = 0;

  beforeAll(async () => {
    if (!isDashboardBuilt()) execFileSync('npm', ['run', 'build', '-w', '@telemetry/dashboard'], { cwd: ROOT, stdio: 'inherit' });
    t = await startTestServer();
    await t.admin.updateSettings({ enabled: true });
    const events = seedEvents(Date.now());
    for (let i = 0; i < events.length; i += 5_000) {
      const answer = await t.ingest.send(events.slice(i, i + 5_000));
      expect(answer).toMatchObject({ ok: true, result: { rejected: [] } });
    }
    seeded = events.length;
    await t.server.engine.flush();
    await waitFor(async () => (await t.viewer.storage()).totalEvents === seeded, 30_000, 'seeded events stored');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  async function signIn(token: string, hash = ''): Promise<void> {
    await page.goto(`${t.url}/${hash}`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1').filter({ hasNotText: 'Sign in' }).waitFor();
  }

  async function dashboardReady(): Promise<void> {
    await page.waitForFunction(() => {
      const panels = [...document.querySelectorAll<HTMLElement>('section.panel')];
      return panels.length >= 7 && panels.every((p) => p.dataset.state === 'ready');
    });
  }

  async function settingsReady(): Promise<void> {
    await page.locator('form.settings-form[data-state="ready"]').waitFor();
  }

  it('is served at / and asks for a token; a rejected token goes back to sign-in with the reason', async () => {
    const html = await (await fetch(`${t.url}/`)).text();
    expect(html).toContain('<main id="main"');

    await page.goto(`${t.url}/`);
    await page.getByLabel('Access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.sign-in [role="alert"]').textContent()).toContain('did not accept this token');

    await signIn(TOKENS.viewer);
    expect(await page.evaluate(() => sessionStorage.getItem('telemetry.accessToken'))).toBe(TOKENS.viewer);
    // The token is revoked while the tab is open: the next request answers 401.
    await page.evaluate(() => sessionStorage.setItem('telemetry.accessToken', 'revoked-token'));
    await page.goto(`${t.url}/#/settings/telemetry`);
    await expect.poll(() => page.locator('.sign-in .notice-box').textContent()).toContain('Sign in again');
    expect(await page.evaluate(() => sessionStorage.getItem('telemetry.accessToken'))).toBeNull();
  });

  it('renders every chart and table non-empty, matching the API', async () => {
    await signIn(TOKENS.viewer);
    await dashboardReady();
    const range = defaultRange();
    expect(await page.locator('#range-from').inputValue()).toBe(range.from);
    expect(await page.locator('#range-to').inputValue()).toBe(range.to);

    for (const id of ['active-users', 'latency', 'crashes', 'storage']) {
      const chart = page.locator(`#${id} figure.chart`);
      expect(Number(await chart.getAttribute('data-points')), `${id} chart points`).toBeGreaterThan(0);
      const box = await chart.locator('canvas').first().boundingBox();
      expect(box?.width, `${id} canvas width`).toBeGreaterThan(200);
    }

    const activeUsers = await t.viewer.activeUsers({ range });
    expect(Number(await page.locator('#active-users figure.chart').getAttribute('data-points'))).toBe(activeUsers.length * 4);
    const last = activeUsers[activeUsers.length - 1];
    await expect.poll(() => page.locator('#active-users .tile').first().textContent()).toContain(last.dau.toLocaleString('en-US'));

    const adoption = await t.viewer.featureAdoption({ range });
    expect(adoption.length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="feature-adoption-table"] tbody tr').count()).toBe(adoption.length);

    const crashes = await t.viewer.crashRate({ range, breakdownBy: 'APP_VERSION' });
    const versions = new Set(crashes.filter((p) => p.sessions > 0).map((p) => p.segment));
    expect(await page.locator('[data-testid="crash-table"] tbody tr').count()).toBe(versions.size);

    const latency = await t.viewer.latency({ range, metric: 'startup', breakdownBy: 'OS' });
    expect(Number(await page.locator('#latency figure.chart').getAttribute('data-series'))).toBe(new Set(latency.map((p) => p.segment)).size);
  });

  it('shows retention cohorts whose cells equal the API’s numbers, for weeks and days', async () => {
    await signIn(TOKENS.viewer);
    await dashboardReady();
    const range = defaultRange();
    for (const granularity of ['WEEK', 'DAY'] as const) {
      if (granularity !== 'WEEK') {
        await page.locator('#retention').getByLabel('Cohorts by').selectOption(granularity);
        await page.locator(`[data-testid="retention-heatmap"][data-granularity="${granularity}"]`).waitFor();
      }
      const cohorts = await t.viewer.retentionCohorts({ range, granularity, periods: 12 });
      expect(cohorts.length).toBeGreaterThan(0);
      const shown = await page.locator('[data-testid="retention-heatmap"] tbody tr').evaluateAll((rows) =>
        rows.map((row) => ({
          cohort: row.getAttribute('data-cohort'),
          size: Number(row.getAttribute('data-size')),
          retained: [...row.querySelectorAll('td[data-retained]')].map((td) => Number(td.getAttribute('data-retained'))),
          labels: [...row.querySelectorAll('td[data-retained]')].map((td) => td.textContent),
        })),
      );
      expect(shown.map(({ cohort, size, retained }) => ({ cohort, size, retained }))).toEqual(
        cohorts.map((c) => ({ cohort: c.cohort, size: c.size, retained: c.retained })),
      );
      expect(shown.map((row) => row.labels)).toEqual(cohorts.map((c) => c.rates.map((rate) => `${(rate * 100).toFixed(0)}%`)));
    }
  });

  it('exports every dataset in every format and downloads it with the token', async () => {
    await signIn(TOKENS.admin);
    await dashboardReady();
    for (const dataset of ['EVENTS', 'DAILY_AGGREGATES']) {
      for (const format of ['PARQUET', 'CSV', 'NDJSON', 'ARROW']) {
        // Whichever of the two loses the race rejects later (timeout or closed page): ignored.
        const downloaded = page.waitForEvent('download').then((download) => ({ download, error: null }));
        downloaded.catch(() => {});
        await page.locator(`button[data-dataset="${dataset}"][data-format="${format}"]`).click();
        // The panel's error box names the failure (e.g. the server's INTERNAL_SERVER_ERROR) instead of a bare timeout.
        const failed = page.locator('#exports .error-box').waitFor().then(async () => ({ download: null, error: await page.locator('#exports .error-box').textContent() }));
        failed.catch(() => {});
        const outcome = await Promise.race([downloaded, failed]);
        expect(outcome.error, `${dataset} ${format}`).toBeNull();
        const download = outcome.download!;
        const path = await download.path();
        expect(readFileSync(path).byteLength, `${dataset} ${format}`).toBeGreaterThan(0);
        expect(download.suggestedFilename()).toMatch(new RegExp(`^telemetry-${dataset === 'EVENTS' ? 'events' : 'daily-aggregates'}-.+\\.(parquet|csv|ndjson|arrows)$`));
      }
    }
    const csv = await page.locator('.download-list a[href^="blob:"]').filter({ hasText: /telemetry-events-.*\.csv$/ }).count();
    expect(csv).toBe(1);
  });

  it('saves Enable Telemetry and Storage Duration; another query confirms; a reload shows them', async () => {
    await t.admin.updateSettings({ enabled: true, storageDurationDays: 90 });
    await signIn(TOKENS.admin, '#/settings/telemetry');
    await settingsReady();
    const toggle = page.getByRole('switch', { name: 'Enable Telemetry' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');

    await toggle.click();
    await page.getByRole('button', { name: 'Save Settings' }).click();
    await expect.poll(() => page.locator('[data-testid="save-result"]').textContent()).toContain('Telemetry is Off');
    expect(await t.viewer.settings()).toMatchObject({ enabled: false, storageDurationDays: 90 });

    await toggle.click();
    await expect.poll(() => page.locator('[data-testid="privacy-warning"]').textContent()).toContain(
      'Enabling telemetry requires updating your privacy policy and providing clear disclosure',
    );
    await page.getByRole('button', { name: /^30 days/ }).click();
    const estimate = await t.viewer.storageEstimate(30);
    const preview = page.locator('[data-testid="pending-deletion"]');
    await expect.poll(() => preview.getAttribute('data-days')).toBe(String(estimate.deletedDays));
    expect(await preview.getAttribute('data-events')).toBe(String(estimate.deletedEvents));

    await page.getByRole('button', { name: 'Save Settings' }).click();
    await expect.poll(() => page.locator('[data-testid="save-result"]').textContent()).toContain('kept for 30 days');
    expect(await t.viewer.settings()).toMatchObject({ enabled: true, storageDurationDays: 30 });
    const history = await t.viewer.settingsHistory(2);
    expect(history.map((c) => [c.old.enabled, c.new.enabled, c.new.storageDurationDays])).toEqual([
      [false, true, 30],
      [true, false, 90],
    ]);
    await expect.poll(() => page.locator('[data-testid="settings-history"] tbody tr').first().textContent()).toContain('Telemetry turned On; Storage 90 → 30 days');

    await page.reload();
    await settingsReady();
    expect(await page.getByRole('switch', { name: 'Enable Telemetry' }).getAttribute('aria-checked')).toBe('true');
    expect(await page.locator('#storage-duration').inputValue()).toBe('30');
    await t.admin.updateSettings({ storageDurationDays: 90 });
  });

  it('refuses an invalid storage duration inline and saves nothing', async () => {
    const before = await t.viewer.settings();
    const changes = (await t.viewer.settingsHistory(1000)).length;
    await signIn(TOKENS.admin, '#/settings/telemetry');
    await settingsReady();
    const field = page.locator('#storage-duration');
    for (const typed of ['0', '731', '12.5', '']) {
      await field.fill(typed);
      await page.getByRole('button', { name: 'Save Settings' }).click();
      expect(await page.locator('#storage-duration-error').textContent(), typed).toBe('Storage duration must be a whole number from 1 to 730 days');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.settings-form .form-message').textContent()).toContain('Nothing was saved');
    }
    expect(await t.viewer.settings()).toEqual(before);
    expect((await t.viewer.settingsHistory(1000)).length).toBe(changes);
  });

  it('shows FORBIDDEN to a viewer who tries to save', async () => {
    const before = await t.viewer.settings();
    await signIn(TOKENS.viewer, '#/settings/telemetry');
    await settingsReady();
    await page.getByRole('switch', { name: 'Enable Telemetry' }).click();
    await page.getByRole('button', { name: 'Save Settings' }).click();
    const error = page.locator('[data-testid="save-error"]');
    await expect.poll(() => error.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await error.textContent()).toContain('Sign in with an admin token');
    expect(await t.viewer.settings()).toEqual(before);
  });

  it('fits both pages on a 1366×768 laptop screen without sideways scrolling', async () => {
    // Screenshots go to docs/ with UPDATE_SCREENSHOTS=1 (they change with the seeded days), else to a temp dir.
    const dir = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs') : mkdtempSync(join(tmpdir(), 'dashboard-shots-'));
    mkdirSync(dir, { recursive: true });
    const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

    await signIn(TOKENS.admin);
    await dashboardReady();
    expect(await fitsWidth()).toBe(true);
    // The first screen answers the weekly question: filters, the active-user tiles and their chart.
    const chart = await page.locator('#active-users figure.chart canvas').first().boundingBox();
    expect(chart!.y + chart!.height).toBeLessThanOrEqual(768);
    await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });

    await page.goto(`${t.url}/#/settings/telemetry`);
    await settingsReady();
    await page.getByRole('button', { name: /^30 days/ }).click();
    await page.locator('[data-testid="pending-deletion"]').waitFor();
    expect(await fitsWidth()).toBe(true);
    await page.screenshot({ path: join(dir, 'settings-telemetry.png'), fullPage: true });
    expect(statSync(join(dir, 'dashboard.png')).size).toBeGreaterThan(50_000);
  });
});
