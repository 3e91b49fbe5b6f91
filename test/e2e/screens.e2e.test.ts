import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowOverview } from '../../src-shared/ipc';
import type { EngineApi } from '../../src-main/host/context';
import { IpcFailure } from '../../src-main/host/errors';
import {
  buildRendererOnce,
  expectNoSeriousA11yViolations,
  launchBrowser,
  openScreen,
  screenshot,
  startApp,
  tempDataDir,
  type Browser,
  type RunningApp,
} from './support/app';
import { FLOW, seedDemo } from './support/seed';

/**
 * Every screen in real Chromium against the browser host (the same code `serve` runs) on a
 * seeded data folder: headings, the main actions, a screenshot and an axe check per screen.
 *
 * The sync engine is not part of this build yet, so the Dashboard talks to a small stand-in
 * that implements only what the dashboard needs (flows + startSync emitting 'run.progress'
 * through the real event bus and SSE). Everything else is the real store and handlers.
 */

const RUN_ID = 'run-e2e-1';

function dashboardEngine(app: () => RunningApp): EngineApi {
  const notHere = () =>
    Promise.reject(new IpcFailure('unavailable', 'The sync engine is not running in this process.'));
  const overview: FlowOverview = {
    flow: FLOW,
    title: 'Exact Online → Procore',
    unavailable: null,
    connections: [
      {
        id: 'c1',
        system: 'exact-online',
        label: 'Exact (sandbox)',
        status: 'connected',
        tokenExpiresAt: '2026-12-01T10:00:00.000Z',
        warning: null,
      },
      {
        id: 'c2',
        system: 'procore',
        label: 'Procore (sandbox)',
        status: 'needs-reauth',
        tokenExpiresAt: null,
        warning: 'Sign in to Procore again.',
      },
    ],
    lastRun: null,
    nextRunAt: null,
    counts: { synced: 10, parked: 2, failed: 0 },
    running: null,
    recentRuns: [
      { runId: 'r1', startedAt: '2026-11-20T08:00:00.000Z', records: 40, errors: 2 },
      { runId: 'r2', startedAt: '2026-11-21T08:00:00.000Z', records: 25, errors: 0 },
    ],
  };
  return {
    flows: async () => [overview],
    startSync: async (flow) => {
      const counts = { created: 0, updated: 0, unchanged: 0, parked: 0, failed: 0 };
      const steps = [
        { phase: 'reading', processed: 0, total: 5 },
        { phase: 'writing', processed: 3, total: 5 },
        { phase: 'done', processed: 5, total: 5 },
      ] as const;
      steps.forEach((step, index) =>
        setTimeout(
          () => {
            if (step.phase === 'done') Object.assign(counts, { created: 3, unchanged: 1, parked: 1 });
            app().ctx.events.emit('run.progress', { runId: RUN_ID, flow, ...step, counts: { ...counts } });
          },
          150 * (index + 1),
        ),
      );
      return { runId: RUN_ID };
    },
    replayAudit: notHere,
    retryParked: notHere,
    suggestVendorLinks: notHere,
    reconcile: notHere,
    mappingsChanged: async () => ({ requeued: 0 }),
  };
}

let dataDir: string;
let app: RunningApp;
let browser: Browser;
const a11y: Record<string, number> = {};

beforeAll(async () => {
  const rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-screens-');
  app = await startApp({ dataDir, rendererDir, engine: dashboardEngine(() => app) });
  seedDemo(app.ctx.store);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify({ e2eScreens: { minorOrModerateA11yFindings: a11y } }));
});

async function check(screen: string) {
  await screenshot(browser.page, screen);
  a11y[screen] = (await expectNoSeriousA11yViolations(browser.page, screen)).length;
}

describe('screens in Chromium', () => {
  it('Dashboard: flow status, Sync now with live progress until it finishes', async () => {
    const { page } = browser;
    await openScreen(page, app, 'dashboard', 'Dashboard');
    const card = page.getByRole('region', { name: 'Exact Online → Procore' });
    await card.getByText('Sign in again').waitFor();
    await card.getByText('Sign in to Procore again.').waitFor();
    await card.getByRole('button', { name: 'Sync now' }).click();
    // The button is disabled while the run is going, then the final counts arrive over SSE.
    await card.getByRole('status').filter({ hasText: 'Finished: 5 records (3 created' }).waitFor();
    expect(await card.getByRole('button', { name: 'Sync now' }).isEnabled()).toBe(true);
    await page.getByRole('cell', { name: 'partial' }).waitFor();
    await check('dashboard');
  });

  it('Connections: sandbox in one click; a typed secret is stored and never shown back', async () => {
    const { page } = browser;
    await openScreen(page, app, 'connections', 'Connections');
    await page.getByRole('button', { name: 'Use sandbox for Exact Online' }).click();
    await page.getByRole('cell', { name: 'Exact Online (sandbox)', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Connect to Exact Online' }).isEnabled()).toBe(true);

    await page.getByRole('button', { name: 'Add connection' }).click();
    const form = page.getByRole('form', { name: 'Add a connection' });
    await form.getByLabel('System').selectOption('procore');
    await form.getByLabel('Name').fill('Procore production');
    await form.getByLabel('Client id').fill('client-123');
    await form.getByLabel(/^Client secret/).fill('super-secret-e2e-value');
    await form.getByRole('button', { name: 'Save connection' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Procore production' });
    // What is stored, in words (not "clientSecret: set, accessToken: not set").
    await row.getByRole('cell', { name: 'Stored in the keychain; not signed in yet' }).waitFor();
    await row.getByRole('cell', { name: /^Not signed in yet/ }).waitFor();
    expect(await row.textContent()).not.toMatch(/clientSecret|accessToken|not-connected/);
    expect(await page.content()).not.toContain('super-secret-e2e-value');
    await row.getByRole('button', { name: 'Test connection Procore production' }).click();
    await row
      .getByRole('alert')
      .filter({ hasText: 'Problem: “Procore production” was added by hand' })
      .waitFor();
    await check('connections');
  });

  it('Pending validation: groups by cause with the source record, Retry, and a link to the mapping', async () => {
    const { page } = browser;
    await openScreen(page, app, 'pending', 'Pending validation');
    const group = page.getByRole('region', {
      name: /GL account 4400 \/ cost center KST-12 has no Procore cost code/,
    });
    await group.getByRole('heading', { name: /\(1\)/ }).waitFor();
    await page.getByRole('region', { name: /Supplier SUP-0099 has no Procore vendor/ }).waitFor();
    // A record parked before labels existed, whose snapshot its flow cannot read: named by its
    // stream and id, its raw data behind "Technical details".
    await group.getByRole('button', { name: 'purchase-orders PO-26-0007', exact: true }).click();
    await group.getByText('Technical details', { exact: true }).click();
    await group.getByText('"Supplier": "SUP-0042"').waitFor();
    await check('pending-validation');

    // Without the engine a retry cannot run: the screen says so instead of pretending.
    await group.getByRole('button', { name: 'Retry purchase-orders PO-26-0007' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The sync engine is not running in this process.' })
      .waitFor();

    await group.getByRole('link', { name: 'Fix mapping cost:4400|KST-12|' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mappings' }).waitFor();
    // The unmapped value is listed first and its "Add mapping" has the focus.
    const add = page.getByRole('button', { name: 'Add mapping for 4400 / KST-12 / any' });
    await expect.poll(() => add.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('Mappings: add the unmapped pair, save a new version, see it in the history, export CSV', async () => {
    const { page } = browser;
    await openScreen(page, app, 'mappings?flow=exact-procore&set=costs', 'Mappings');
    const firstBodyRow = page.locator('table.mapping-table tbody tr').first();
    await expect(firstBodyRow.getAttribute('data-mapping-key')).resolves.toBe('cost:4400|KST-12|');
    await check('mappings');

    await page.getByRole('button', { name: 'Add mapping for 4400 / KST-12 / any' }).click();
    await page.getByLabel('Procore cost code, row 1', { exact: true }).fill('01-400');
    await page.getByLabel('Cost type, row 1', { exact: true }).fill('M');
    await expect(page.getByLabel('GL account, row 1', { exact: true }).inputValue()).resolves.toBe('4400');
    await page.getByLabel('Note for this version (optional)').fill('Fix for PO-26-0007');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByRole('status').filter({ hasText: 'Cost codes v2 saved.' }).waitFor();
    expect(await page.locator('[data-mapping-key]').count()).toBe(0);
    await page.getByRole('link', { name: 'Cost codes v2' }).waitFor();

    // A real browser download (streamed from the host, one-time address), not a path in the data folder.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^mappings-exact-procore-costs-v2-[\dT-]+Z\.csv$/);
    await page.getByRole('status').filter({ hasText: `Downloading ${download.suggestedFilename()} (2 rows)` }).waitFor();
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\r\n').filter(Boolean)).toEqual([
      'glAccountCode,costCenterCode,costUnitCode,costCode,lineItemTypeCode',
      '4000,KST-10,,01-100,M',
      '4400,KST-12,,01-400,M',
    ]);

    // Version 1 is still readable, unchanged.
    await page.getByRole('link', { name: 'Cost codes v1' }).click();
    await page.getByText('You are looking at Cost codes v1 (read-only).').waitFor();
    expect(await page.getByRole('cell', { name: '01-400' }).count()).toBe(0);
  });

  it('Audit history: keyboard selection, detail side by side, Replay, filter and Export CSV', async () => {
    const { page } = browser;
    await openScreen(page, app, 'audit', 'Audit history');
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await grid.getByRole('row', { name: /PO-0000300/ }).waitFor();
    // Amounts in the user's locale with currency, right-aligned.
    await grid.getByRole('gridcell', { name: '€11,100.00' }).waitFor();

    await grid.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    // Entry 301 (newest) is the Mappings test's new version: "Cost codes v2 saved: …".
    const detail = page.getByRole('complementary', { name: 'Details of entry 300' });
    await detail.getByRole('term').filter({ hasText: 'Mappings used' }).waitFor();

    await grid.getByRole('row', { name: /PO-0000291/ }).click();
    const withSnapshot = page.getByRole('complementary', { name: 'Details of entry 291' });
    await withSnapshot.getByText('Technical details', { exact: true }).click();
    await withSnapshot.getByText('"Supplier": "SUP-0042"').waitFor();
    await withSnapshot.getByText('"vendor_id": 42').waitFor();
    await check('audit-history');
    await withSnapshot.getByRole('button', { name: 'Replay' }).click();
    await withSnapshot
      .getByRole('alert')
      .filter({ hasText: 'Replay did not run: The sync engine is not running' })
      .waitFor();

    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('30 entries shown.').waitFor();
    expect(await grid.getByRole('row').filter({ hasText: 'PO-' }).allInnerTexts()).not.toContainEqual(
      expect.stringMatching(/\bok\b/),
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-[\dT-]+Z\.csv$/);
    await page.getByRole('status').filter({ hasText: `Downloading ${download.suggestedFilename()} (30 entries)` }).waitFor();
    const lines = readFileSync((await download.path())!, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]!.charCodeAt(0)).toBe(0xfeff);
    expect(lines).toHaveLength(31);
    expect(lines.slice(1).every((line) => line.includes(',failed,failed,'))).toBe(true);
    expect(existsSync(join(dataDir, 'exports'))).toBe(false); // nothing left in the host's data folder

    await page.getByLabel('Search').fill('no such text anywhere');
    await page.getByText('No audit entries match these filters').waitFor();
  });

  it('Settings: data folder and an audit chain check', async () => {
    const { page } = browser;
    await openScreen(page, app, 'settings', 'Settings');
    await page.getByText(dataDir).waitFor();
    await page.getByRole('button', { name: 'Verify audit log' }).click();
    await page.getByText('The audit log is intact (301 entries checked).').waitFor();
    await check('settings');
  });

  it('ran under the strict CSP without console errors', () => {
    expect(browser.problems).toEqual([]);
  });
});
