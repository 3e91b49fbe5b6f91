/**
 * Issue 17 in real Chromium, against the browser host (what `serve` runs) with the engine on
 * the sandbox in this process, after one full sync of the demo world (its gaps parked):
 *   - Import CSV is checked before anything is saved: a cost code Procore does not have is
 *     refused with its line; the impact is shown first; a semicolon file with a BOM (Excel with
 *     Dutch settings) imports on confirmation; the same file again makes no version.
 *   - "Create this vendor in Procore" from Pending validation fixes the demo's unlinked supplier
 *     end to end: confirmation dialog, vendor created and linked, its records leave Pending.
 * Screenshots at 1366 px, axe on every state.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX, startSandboxEngine } from '../support/sandbox-engine';
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

const FLOW = 'exact-procore';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const planted = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
const pair = world.deliberate.unmappedPair;
const HEADER = 'glAccountCode;costCenterCode;costUnitCode;costCode;lineItemTypeCode';
const SLOW = 60_000;

let dataDir: string;
let app: RunningApp;
let engine: Awaited<ReturnType<typeof startSandboxEngine>>;
let browser: Browser;

beforeAll(async () => {
  const rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-pickers-');
  app = await startApp({ dataDir, rendererDir });
  engine = await startSandboxEngine(app.ctx);
  await engine.host.flows.flows.get(FLOW)!.runtime.run({ trigger: 'manual' });
  browser = await launchBrowser();
  await browser.page.setViewportSize({ width: 1366, height: 900 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await engine?.close();
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** What a 1366 × 900 window shows (the full page of a 200-row table is too tall to read). */
async function windowShot(name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await browser.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

async function costLines(): Promise<string[]> {
  const table = await ipcOn(app.ctx).value('mappings.get', { flow: FLOW, set: 'costs' });
  return table.rows.map((r) =>
    [r.sourceKey['glAccountCode'], r.sourceKey['costCenterCode'], r.sourceKey['costUnitCode'] ?? '', r.target['costCode'], r.target['lineItemTypeCode']].join(';'),
  );
}

async function chooseCsv(name: string, text: string): Promise<void> {
  await browser.page.getByLabel('CSV file to import').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
}

describe('Import CSV: checked against Procore, its impact shown before it is saved', () => {
  it(
    'refuses a cost code that does not exist in Procore, naming its line',
    async () => {
      const { page } = browser;
      await openScreen(page, app, `mappings?flow=${FLOW}&set=costs`, 'Mappings');
      await page.getByText(/^Pick values by name or code;/).waitFor({ timeout: SLOW });
      const lines = await costLines();
      await chooseCsv('costs-bad.csv', [HEADER.replaceAll(';', ','), ...lines.map((l) => l.replaceAll(';', ',')), `${pair.glAccountCode},${pair.costCenterCode},,99-999,O`].join('\r\n'));
      const panel = page.getByRole('region', { name: 'Import costs-bad.csv' });
      await panel.getByText('Nothing can be imported until this is fixed in the file:').waitFor({ timeout: SLOW });
      await expect(panel.getByRole('listitem').allTextContents()).resolves.toEqual([
        `Line ${lines.length + 2}: Procore cost code 99-999 does not exist in Procore`,
      ]);
      await expect(panel.getByRole('button', { name: /^Import as/ }).count()).resolves.toBe(0);
      await windowShot('mappings-import-refused-1366');
      await expectNoSeriousA11yViolations(page, 'mappings-import-refused');
      await panel.getByRole('button', { name: 'Close' }).click();
      await expect(ipcOn(app.ctx).value('mappings.get', { flow: FLOW, set: 'costs' })).resolves.toMatchObject({ current: { version: 1 } });
    },
    SLOW * 2,
  );

  it(
    'imports a semicolon file with a BOM after showing the records it releases; the same file again makes no version',
    async () => {
      const { page } = browser;
      const waiting = app.ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-cost').length;
      expect(waiting).toBeGreaterThan(0);
      const lines = await costLines();
      const csv = `\uFEFF${[HEADER, ...lines, `${pair.glAccountCode};${pair.costCenterCode};;01-900;O`].join('\r\n')}\r\n`;
      await openScreen(page, app, `mappings?flow=${FLOW}&set=costs`, 'Mappings');
      await chooseCsv('kostenplaatsen.csv', csv);
      const panel = page.getByRole('region', { name: 'Import kostenplaatsen.csv' });
      await panel
        .getByText(`Impact: ${waiting} parked record${waiting === 1 ? ' is' : 's are'} released (retried at once), and 0 records already written are coded differently from now on.`)
        .waitFor({ timeout: SLOW });
      await panel.getByText(`(“;” between cells). Compared with Cost codes v1: 1 added, 0 changed, 0 removed, ${lines.length} unchanged.`, { exact: false }).waitFor();
      await windowShot('mappings-import-preview-1366');
      await expectNoSeriousA11yViolations(page, 'mappings-import-preview');
      await panel.getByRole('button', { name: 'Import as Cost codes v2' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: new RegExp(`^Imported ${lines.length + 1} rows from kostenplaatsen\\.csv as Cost codes v2\\.`) })
        .waitFor({ timeout: SLOW });
      await page.getByRole('link', { name: 'Cost codes v2' }).waitFor();
      // The cost type picker explains the codes.
      const picker = page.getByRole('combobox', { name: 'Cost type, row 1', exact: true });
      await picker.fill('');
      await page.getByRole('listbox', { name: 'Cost type, row 1: choices' }).getByRole('option', { name: 'M — Materials' }).waitFor();
      await windowShot('mappings-cost-type-picker-1366');
      await expectNoSeriousA11yViolations(page, 'mappings-cost-type-picker');
      await page.keyboard.press('Escape');

      await chooseCsv('kostenplaatsen.csv', csv);
      await page
        .getByRole('region', { name: 'Import kostenplaatsen.csv' })
        .getByText('The file holds exactly the rows of Cost codes v2: there is nothing to import, and no new version is made.')
        .waitFor({ timeout: SLOW });
      const versions = await ipcOn(app.ctx).value('mappings.get', { flow: FLOW, set: 'costs' });
      expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);

      await openScreen(page, app, 'pending', 'Pending validation');
      await page.getByRole('link', { name: /^Fix mapping vendor:/ }).first().waitFor();
      await expect(page.getByRole('link', { name: `Fix mapping cost:${pair.glAccountCode}|${pair.costCenterCode}|` }).count()).resolves.toBe(0);
    },
    SLOW * 3,
  );
});

describe('Create this vendor in Procore', () => {
  it(
    'fixes the demo’s unlinked supplier from Pending validation, with the user’s confirmation',
    async () => {
      const { page } = browser;
      await openScreen(page, app, 'pending', 'Pending validation');
      const create = page.getByRole('button', { name: `Create this vendor in Procore for exact supplier code ${planted.code}` }).first();
      await create.waitFor({ timeout: SLOW });
      await create.click();
      const dialog = page.getByRole('dialog', { name: `Create vendor “${planted.name}” in Procore` });
      await dialog.getByText(`From Exact Online supplier ${planted.code}. Nothing is created until you confirm.`).waitFor({ timeout: SLOW });
      await dialog.getByText(planted.email).waitFor();
      const confirm = dialog.getByRole('button', { name: 'Create vendor in Procore' });
      await expect.poll(() => confirm.evaluate((el) => el === document.activeElement)).toBe(true);
      await screenshot(page, 'pending-create-vendor-1366');
      await expectNoSeriousA11yViolations(page, 'pending-create-vendor');
      await confirm.click();
      await dialog
        .getByRole('status')
        .filter({ hasText: new RegExp(`^Created vendor “.+” in Procore \\(vendor \\d+\\) from Exact Online supplier ${planted.code} and linked it in Vendors v2\\.`) })
        .waitFor({ timeout: SLOW });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog.count()).resolves.toBe(0);
      await expect
        .poll(async () => page.getByRole('link', { name: `Fix mapping vendor:${planted.code}` }).count(), { timeout: SLOW, interval: 500 })
        .toBe(0);
      const vendors = await ipcOn(app.ctx).value('mappings.get', { flow: FLOW, set: 'vendors' });
      expect(vendors.rows.find((r) => r.sourceKey['supplierCode'] === planted.code)?.target['procoreVendorId']).toMatch(/^\d+$/);
      expect(app.ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-vendor')).toEqual([]);

      // The Audit history names the tables' versions the entry stands for.
      await openScreen(page, app, 'audit', 'Audit history');
      const grid = page.getByRole('grid', { name: 'Audit entries' });
      await grid.getByRole('row', { name: /Vendors v2 saved/ }).click();
      await page.getByText(/^Projects v1 · Cost codes v2 · Vendors v2$/).waitFor();
      await screenshot(page, 'audit-mapping-version-1366');
    },
    SLOW * 3,
  );

  it('ran under the strict CSP without console errors', () => {
    expect(browser.problems).toEqual([]);
  });
});

