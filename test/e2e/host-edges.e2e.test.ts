import type * as Keytar from 'keytar';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore, KeytarCredentialStore } from '../../src-main/credentials';
import { createFakeTimers, type FakeTimers } from '../../src-main/engine/scheduler/timers';
import { createAppContext } from '../../src-main/host/app-context';
import { serveApp, type ServedApp } from '../../src-main/host/serve';
import { APP_SANDBOX_CONFIG } from '../../src-main/host/systems';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import {
  buildRendererOnce,
  expectNoSeriousA11yViolations,
  launchBrowser,
  openScreen,
  screenshot,
  SCREENSHOT_DIR,
  startApp,
  tempDataDir,
  type Browser,
  type RunningApp,
} from './support/app';

/**
 * The rough edges a new user hit, in real Chromium at 1366 px: a schedule saved on the Settings
 * screen of `serve` runs on time (serve's own wiring, host/serve.ts, with the schedule on a clock
 * the test moves), Dashboard and Settings agree on the next run, errors in the screen's words next
 * to the control, numbered mapping rows, and the Connections screen without a keychain.
 */
const MINUTE = 60_000;
const FLOW_TITLE = 'Exact Online → Procore';

let rendererDir: string;
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let sandbox: Sandbox;
let served: ServedApp;
let clock: FakeTimers;
let start: number;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-host-edges-');
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger });
  sandbox = await startSandbox({ dataDir, seed: 1, scale: 1, config: APP_SANDBOX_CONFIG });
  start = Math.ceil(Date.now() / MINUTE) * MINUTE;
  clock = createFakeTimers(start);
  served = await serveApp(ctx, {
    port: 0,
    rendererDir,
    sandbox: { seed: 1, scale: 1, running: sandbox },
    scheduleTimers: clock,
    timers: createFakeTimers(start),
  });
  app = { ctx, host: served.host, close: () => served.close() };
  browser = await launchBrowser();
  await browser.page.setViewportSize({ width: 1366, height: 900 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await sandbox?.close();
  ctx?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An instant as the page shows it (its locale and time zone), like ui/format.ts. */
function shownAt(iso: string): Promise<string> {
  return browser.page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(at)), iso);
}

async function dashboardNextRun(): Promise<string> {
  const card = browser.page.getByRole('region', { name: FLOW_TITLE });
  return (await card.locator('dt:text-is("Next run") + dd').textContent())!;
}

describe('serve in Chromium', () => {
  it('a schedule saved in Settings runs on time; Settings and the Dashboard name the same next run', async () => {
    const { page } = browser;
    await openScreen(page, app, 'settings', 'Settings');
    const form = page.getByRole('form', { name: FLOW_TITLE });
    await form.getByLabel('Run every (minutes)').fill('5');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const due = new Date(start + 5 * MINUTE).toISOString();
    const words = `${await shownAt(due)} (every 5 minutes)`;
    await form.getByText(`Next run: ${words}`).waitFor();
    await screenshot(page, 'host-edges-settings-schedule-1366');
    await expectNoSeriousA11yViolations(page, 'settings (schedule saved)');

    await openScreen(page, app, 'dashboard', 'Dashboard');
    await expect.poll(dashboardNextRun).toBe(words);
    expect(ctx.store.runs.listRecent(5)).toEqual([]);

    // A moment before the cadence is due: nothing. At the due minute: the scheduled run.
    await clock.advance(5 * MINUTE - 1);
    expect(ctx.store.runs.listRecent(5)).toEqual([]);
    await clock.advance(1);
    const card = page.getByRole('region', { name: FLOW_TITLE });
    await card.getByRole('status').filter({ hasText: /^Finished: \d+ records/ }).waitFor({ timeout: 120_000 });
    const runs = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Trigger' }) });
    await runs.getByRole('cell', { name: 'schedule', exact: true }).waitFor();
    expect(ctx.store.runs.listRecent(5).map((r) => r.trigger)).toEqual(['schedule']);
    // The next one is planned one cadence after this run started, on both screens.
    const next = `${await shownAt(new Date(start + 10 * MINUTE).toISOString())} (every 5 minutes)`;
    await expect.poll(dashboardNextRun).toBe(next);
    // The chart has the run with its date on the axis.
    const chart = card.getByRole('img', { name: /^Recent runs of Exact Online → Procore, oldest first/ });
    await expect(chart.locator('text').count()).resolves.toBe(1);
    await screenshot(page, 'host-edges-dashboard-after-scheduled-run-1366');
    await expectNoSeriousA11yViolations(page, 'dashboard (after a scheduled run)');

    await openScreen(page, app, 'settings', 'Settings');
    await page.getByRole('form', { name: FLOW_TITLE }).getByText(`Next run: ${next}`).waitFor();
  }, 180_000);

  it('the reconciliation of the synced books exports as a browser download', async () => {
    const { page } = browser;
    await openScreen(page, app, 'reconciliation', 'Reconciliation');
    await page.getByRole('button', { name: 'Reconcile now' }).click();
    await page.getByText('every difference is explained').waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^reconciliation-exact-procore-[\dT-]+Z\.csv$/);
    const notice = page.getByRole('status').filter({ hasText: `Downloading ${download.suggestedFilename()}` });
    await notice.waitFor();
    const lines = readFileSync((await download.path())!, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('\ufeffdocument type,document number,counterparty,project,currency,source total,target total,difference,cause,explanation,target key,target id');
    expect((await notice.textContent())!).toContain(`(${lines.length - 1} documents)`);
    await expectNoSeriousA11yViolations(page, 'reconciliation (exported)');
  }, 120_000);

  it('a refused schedule says so in the screen’s words, next to its Save button', async () => {
    const { page } = browser;
    await openScreen(page, app, 'settings', 'Settings');
    const form = page.getByRole('form', { name: FLOW_TITLE });
    await form.getByLabel('Run every (minutes)').fill('2');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    const alert = form.getByRole('alert');
    await alert.filter({ hasText: 'Run every: must be at least 5 minutes.' }).waitFor();
    expect(await alert.textContent()).not.toMatch(/Invalid|schedules\.save|everyMinutes/);
  });

  it('mapping rows carry the number a refused save names, and the message is by the Save button', async () => {
    const { page } = browser;
    await openScreen(page, app, 'mappings?flow=exact-procore&set=costs', 'Mappings');
    const row2 = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '2', exact: true }) });
    await row2.waitFor();
    // Clear row 2's cost code (a picker: the change counts once the field is left).
    const costCode = page.getByLabel('Procore cost code, row 2', { exact: true });
    await costCode.fill('');
    await costCode.press('Tab');
    const save = page.getByRole('button', { name: 'Save mapping' });
    await save.click();
    const alert = page.locator('form.save-bar').getByRole('alert');
    await alert.filter({ hasText: /^Row 2: Procore cost code is empty\.$/ }).waitFor();
    // Seen where the user clicked: within a few lines of the button, not at the top of a long page.
    const [button, message] = [(await save.boundingBox())!, (await alert.boundingBox())!];
    expect(Math.abs(message.y - button.y)).toBeLessThan(120);
    await screenshot(page, 'host-edges-mappings-row-error-1366');
    // What the user sees after the click (the viewport, not the whole 200-row page).
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'host-edges-mappings-row-error-viewport-1366.png') });
    await page.getByRole('rowheader', { name: '2', exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'host-edges-mappings-numbered-rows-viewport-1366.png') });
    await expectNoSeriousA11yViolations(page, 'mappings (refused save)');
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('ran under the strict CSP without console errors', () => {
    expect(browser.problems).toEqual([]);
  });
});

describe('without a keychain (no D-Bus session)', () => {
  let bare: RunningApp;
  let bareDir: string;

  beforeAll(async () => {
    bareDir = tempDataDir('mlc-e2e-no-keychain-');
    const fail = () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'));
    const keychain = new KeytarCredentialStore({
      loadKeytar: async () =>
        ({ getPassword: fail, setPassword: fail, deletePassword: fail, findPassword: fail, findCredentials: fail }) as unknown as typeof Keytar,
    });
    bare = await startApp({ dataDir: bareDir, rendererDir, credentials: keychain });
  });

  afterAll(async () => {
    await bare?.close();
    if (bareDir) rmSync(bareDir, { recursive: true, force: true });
  });

  it('the Connections screen lists connections, explains the keychain, and the sandbox can be added', async () => {
    const { page } = browser;
    await openScreen(page, bare, 'connections', 'Connections');
    await page.getByText('The keychain cannot be used on this computer').waitFor();
    await page.getByText('The sandbox works without it.', { exact: false }).waitFor();
    expect(await page.getByText('Connections could not be loaded').count()).toBe(0);
    await page.getByRole('button', { name: 'Use sandbox for Exact Online' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Exact Online (sandbox)' });
    await row.getByRole('cell', { name: 'None needed (simulated system on this computer)' }).waitFor();
    await row.getByText('Ready: signs in at the next sync').waitFor();
    await screenshot(page, 'host-edges-connections-no-keychain-1366');
    await expectNoSeriousA11yViolations(page, 'connections (no keychain)');
  });
});
