/**
 * The real sync engine behind `ml-connector serve --sandbox`, driven as a user would: they drive the app exactly as a user would start it: the CLI `serve --sandbox` in a child
 * process (its own data folder, simulators in-process), then real Chromium on the printed URL.
 *   1. Dashboard: "Sync now" on Exact Online → Procore runs to the end (progress over SSE).
 *   2. The deliberate unmapped pair of the sandbox world (GL 4990 / cost center KST-19, see
 *      src-main/sandbox/seed/world.ts) is parked; fixing it in Mappings (cost code 01-900, cost
 *      type O, the world's true mapping) makes its record leave Pending validation.
 *   3. Audit history: "Replay" of a written entry reports an idempotent outcome.
 *   4. The world's supplier with no Procore vendor gets one in Procore; "Suggest links from
 *      Procore" on the vendors table finds it, the vendor picker offers it by name, Save links
 *      it (by its id), and its parked records leave Pending validation.
 * `serve` uses the OS keychain (keytar); run under `dbus-run-session` with an unlocked
 * gnome-keyring where there is no desktop session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procoreSandboxCredentials } from '../../src-main/sandbox/procore';
import { defaultCompanyId } from '../../src-main/sandbox/procore/config';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { addProcoreVendor } from '../support/procore-admin';
import {
  buildRendererOnce,
  expectNoSeriousA11yViolations,
  launchBrowser,
  screenshot,
  tempDataDir,
  type Browser,
} from './support/app';

const ROOT = join(import.meta.dirname, '..', '..');
const SYNC_TIMEOUT_MS = 120_000;

let dataDir: string;
let serve: ChildProcess;
let url: string;
let serveLog = '';
/** Where `serve --sandbox` runs the Procore simulator (it prints each simulator's address). */
let procoreUrl: string | undefined;
let browser: Browser;

beforeAll(async () => {
  // `serve` serves dist/renderer: put the cached e2e build there.
  cpSync(await buildRendererOnce(), join(ROOT, 'dist', 'renderer'), { recursive: true });
  dataDir = tempDataDir('mlc-e2e-engine-');
  serve = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'ml-connector.mjs'), '--data-dir', dataDir, 'serve', '--sandbox'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // serve logs every HTTP call to stderr; keep the tail for a failure message, not the test output.
  serve.stderr!.on('data', (chunk: Buffer) => {
    serveLog = (serveLog + chunk.toString()).slice(-20_000);
    procoreUrl ??= /sandbox procore: (\S+)/.exec(chunk.toString())?.[1];
  });
  url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: serve.stdout! });
    lines.on('line', (line) => {
      const printed = JSON.parse(line) as { url?: string };
      if (printed.url) resolve(printed.url);
    });
    serve.once('exit', (code) =>
      reject(new Error(`serve exited with ${code} before printing its URL:\n${serveLog}`)),
    );
  });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill('SIGINT');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(route: string, heading: string) {
  await browser.page.goto(`${url}#/${route}`);
  await browser.page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
}

describe('with the real engine (serve --sandbox)', () => {
  it(
    'Sync now runs to the end with live progress',
    async () => {
      await open('dashboard', 'Dashboard');
      const card = browser.page.getByRole('region', { name: 'Exact Online → Procore' });
      await card.getByRole('button', { name: 'Sync now' }).click();
      await card
        .getByRole('status')
        .filter({ hasText: /^Finished: \d+ records/ })
        .waitFor({ timeout: SYNC_TIMEOUT_MS });
      await screenshot(browser.page, 'engine-dashboard-after-sync');
    },
    SYNC_TIMEOUT_MS + 10_000,
  );

  it(
    'fixing the deliberate unmapped pair makes its record leave Pending validation',
    async () => {
      const { page } = browser;
      await open('pending', 'Pending validation');
      const fix = page.getByRole('link', { name: 'Fix mapping cost:4990|KST-19|' }).first();
      await fix.waitFor();
      await fix.click();
      await page.getByRole('heading', { level: 1, name: 'Mappings' }).waitFor();
      await page.getByRole('button', { name: 'Add mapping for 4990 / KST-19 / any' }).click();
      await page.getByLabel('Procore cost code, row 1', { exact: true }).fill('01-900');
      await page.getByLabel('Cost type, row 1', { exact: true }).fill('O');
      await page.getByRole('button', { name: 'Save mapping' }).click();
      // The engine re-queues the parked records the change affects.
      await page
        .getByRole('status')
        .filter({ hasText: /Cost codes v\d+ saved\. \d+ parked records? (was|were) sent to sync again/ })
        .waitFor();

      await open('pending', 'Pending validation');
      await expect
        .poll(async () => page.getByRole('link', { name: 'Fix mapping cost:4990|KST-19|' }).count(), {
          timeout: SYNC_TIMEOUT_MS,
          interval: 1_000,
        })
        .toBe(0);
      await screenshot(browser.page, 'engine-pending-after-fix');
    },
    SYNC_TIMEOUT_MS + 30_000,
  );

  it('Replay of a written entry is idempotent', async () => {
    const { page } = browser;
    await open('audit', 'Audit history');
    await page.getByLabel('Status').selectOption('ok');
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await grid.getByRole('row').filter({ hasText: 'written' }).first().click();
    await page.getByRole('button', { name: 'Replay' }).click();
    // Nothing is posted twice: replaying a written record finds it in the target unchanged.
    await page
      .getByRole('status')
      .filter({ hasText: /^Replay: (unchanged|written)\./ })
      .waitFor({ timeout: 30_000 });
  }, 60_000);

  it(
    'the vendor picker fixes the unlinked supplier: a vendor added in Procore is suggested, picked by name, saved as its id',
    async () => {
      const { page } = browser;
      // The demo's supplier with no Procore vendor: its purchase orders wait in Pending validation.
      const world = generateWorld(1, 1);
      const supplier = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
      await open('pending', 'Pending validation');
      await page
        .getByRole('link', { name: `Fix mapping vendor:${supplier.code}` })
        .first()
        .waitFor();

      // Someone adds the vendor in Procore, under a name spelt a little differently and no External ID.
      expect(procoreUrl, serveLog).toBeDefined();
      const vendorName = supplier.name.replace(/ B\.V\.$/, ' BV').toUpperCase();
      const vendor = await addProcoreVendor(
        { baseUrl: procoreUrl!, ...procoreSandboxCredentials(1), companyId: defaultCompanyId(1) },
        { name: vendorName },
      );

      // "Fix mapping" leads to the vendors table with the supplier's unmapped row.
      await page.getByRole('link', { name: `Fix mapping vendor:${supplier.code}` }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Mappings' }).waitFor();
      await page.getByRole('button', { name: 'Suggest links from Procore' }).click();
      const suggestions = page.getByRole('table', { name: 'Suggested supplier to vendor links' });
      const row = suggestions.getByRole('row').filter({ hasText: supplier.code });
      await row.waitFor({ timeout: 30_000 });
      await expect(row.textContent()).resolves.toContain(`${vendor.id} ${vendorName}`);
      await expect(row.getByRole('cell', { name: 'same name' }).count()).resolves.toBe(1);
      await screenshot(page, 'engine-vendor-suggestions');
      await expectNoSeriousA11yViolations(page, 'engine-vendor-suggestions');

      // The user picks it by name instead of typing its id.
      await page.getByText(/^Pick values by name or code;/).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: `Add mapping for ${supplier.code}` }).click();
      const picker = page.getByRole('combobox', { name: 'Procore vendor, row 1', exact: true });
      await picker.fill(supplier.name.split(' ')[0]!.toLowerCase());
      const choices = page.getByRole('listbox', { name: 'Procore vendor, row 1: choices' });
      await choices.getByRole('option', { name: new RegExp(`^${vendorName.replace(/\./g, '\\.')} Procore id ${vendor.id}$`) }).click();
      await expect(picker.inputValue()).resolves.toBe(vendorName);
      await expect(page.getByRole('combobox', { name: 'Exact supplier code, row 1', exact: true }).inputValue()).resolves.toBe(
        `${supplier.code} — ${supplier.name}`,
      );
      await screenshot(page, 'engine-vendor-picker');
      await expectNoSeriousA11yViolations(page, 'engine-vendor-picker');
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Vendors v2 saved\. \d+ parked records? (was|were) sent to sync again/ })
        .waitFor({ timeout: SYNC_TIMEOUT_MS });
      await page.getByRole('link', { name: 'Vendors v2' }).waitFor();

      await open('pending', 'Pending validation');
      await expect
        .poll(async () => page.getByRole('link', { name: `Fix mapping vendor:${supplier.code}` }).count(), {
          timeout: SYNC_TIMEOUT_MS,
          interval: 1_000,
        })
        .toBe(0);
    },
    SYNC_TIMEOUT_MS + 60_000,
  );
});
