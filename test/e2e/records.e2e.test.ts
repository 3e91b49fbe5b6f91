import { rmSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, sumByCurrency } from '../../src-shared/domain/labels';
import { main, type CliProcess } from '../../src-main/host/cli';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
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

/**
 * Issue 17 ("speak finance"), records and money, in real Chromium on the data folder a real
 * sandbox sync leaves (`sync exact-procore --sandbox`: 190 documents written, the demo's planted
 * gaps parked): every record named by its document number, supplier and amount in the user's
 * locale, never by its Exact guid; the record view; every column of the Audit grid and the
 * Pending tables on a 1366 px screen; the message whole at 1920 px.
 */

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NBSP = '\u00a0';
const world = generateWorld(1, 1);
const koster = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;

let dataDir: string;
let app: RunningApp;
const browsers: Browser[] = [];

async function browserAt(width: number, height: number, locale: string): Promise<Browser> {
  const browser = await launchBrowser({ viewport: { width, height }, locale });
  browsers.push(browser);
  return browser;
}

beforeAll(async () => {
  const rendererDir = await buildRendererOnce();
  dataDir = tempDataDir('mlc-e2e-records-');
  const lines: string[] = [];
  const proc: CliProcess = { out: (l) => lines.push(l), err: (l) => lines.push(l), env: process.env, onStopSignal: () => () => undefined };
  expect(await main(['sync', 'exact-procore', '--sandbox', '--data-dir', dataDir], proc), lines.join('\n')).toBe(0);
  app = await startApp({ dataDir, rendererDir });
}, 180_000);

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Right edges of the column headers must lie inside the viewport: nothing hidden to the right. */
async function headersInside(browser: Browser, selector: string): Promise<{ name: string; right: number }[]> {
  return browser.page.locator(selector).evaluateAll((cells) =>
    cells.map((cell) => ({ name: (cell.textContent ?? '').trim(), right: Math.round(cell.getBoundingClientRect().right) })),
  );
}

describe('records and money as finance names them', () => {
  it('Pending (1366 px, Dutch locale): "PO 20011 · Bouwmaterialen Groothandel Koster B.V." at € 39.854,50, no guid, every column on screen', async () => {
    const browser = await browserAt(1366, 768, 'nl-NL');
    const { page } = browser;
    await openScreen(page, app, 'pending', 'Pending validation');
    const po = world.purchaseOrders.find((p) => p.supplierKey === koster.key && p.orderNumber === 20011)!;
    expect(po).toBeDefined();
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: `PO 20011 · ${koster.name}`, exact: true }) });
    await row.waitFor();
    // The amount in the user's locale, right-aligned, in its own column.
    const amount = row.getByRole('cell', { name: `€${NBSP}39.854,50`, exact: true });
    await amount.waitFor();
    expect(await amount.evaluate((cell) => getComputedStyle(cell).textAlign)).toBe('right');
    // The screen says how much waits and since when.
    await expect(page.getByTestId('waiting-summary').textContent()).resolves.toMatch(/^10 records waiting, worth €\s?355\.149,71; the oldest since /);
    // No Exact guid anywhere on the screen a user reads.
    expect(await page.locator('main').innerText()).not.toMatch(GUID);
    for (const header of await headersInside(browser, '.parked-table thead th')) expect(header.right, header.name).toBeLessThanOrEqual(1366);
    await screenshot(page, 'records-pending-1366');
    await expectNoSeriousA11yViolations(page, 'records-pending-1366');

    // The record view: Exact beside Procore as labelled fields and lines; JSON only on request.
    await row.getByRole('button', { name: `PO 20011 · ${koster.name}`, exact: true }).click();
    const view = page.getByRole('group', { name: `PO 20011 · ${koster.name}` });
    await view.getByRole('rowheader', { name: 'Supplier / vendor' }).waitFor();
    await view.getByRole('table', { name: /^Fields of / }).getByRole('columnheader', { name: 'Exact Online' }).waitFor();
    await view.getByText('Not in Procore yet: the Exact Online document as read.').waitFor();
    await view.getByRole('cell', { name: `${koster.code} ${koster.name}` }).waitFor();
    const json = view.locator('pre');
    expect(await json.isVisible()).toBe(false);
    await view.getByText('Technical details', { exact: true }).click();
    await expect.poll(() => json.isVisible()).toBe(true);
    await expect(json.textContent()).resolves.toContain('"number": "20011"');
    await screenshot(page, 'records-pending-record-view-1366');
    await expectNoSeriousA11yViolations(page, 'records-pending-record-view');
  });

  it('Audit history (1366 px): documents and target documents by name, Amount and Message on screen, detail below the grid', async () => {
    const browser = await browserAt(1366, 768, 'en-US');
    const { page } = browser;
    await openScreen(page, app, 'audit', 'Audit history');
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    // A written PO: named by number and supplier; the target by Procore's own id.
    const written = grid.getByRole('row').filter({ hasText: /written to Procore as (commitment|direct cost) \d{15}/ }).first();
    await written.waitFor();
    await expect(written.textContent()).resolves.toMatch(/(PO \d{5}|Invoice F\d{4}-\d{5}) · /);
    expect(await grid.innerText()).not.toMatch(GUID);
    // No detail panel until an entry is opened: the grid has the width.
    expect(await page.getByRole('complementary').count()).toBe(0);
    const headers = await headersInside(browser, '.grid-head [role="columnheader"]');
    expect(headers.map((h) => h.name)).toEqual(['#', 'Time', 'Document', 'Result', 'Target document', 'Amount', 'Message']);
    for (const header of headers) expect(header.right, header.name).toBeLessThanOrEqual(1366);
    await screenshot(page, 'records-audit-1366');

    // Opening an entry: Exact beside Procore, agreeing; the grid keeps every column.
    await written.click();
    const detail = page.getByRole('complementary', { name: /Details of entry \d+/ });
    await detail.getByText('Exact Online and Procore agree on every compared field and line.').waitFor();
    await detail.getByRole('rowheader', { name: 'Total excl. VAT' }).waitFor();
    for (const header of await headersInside(browser, '.grid-head [role="columnheader"]')) expect(header.right, header.name).toBeLessThanOrEqual(1366);
    const box = await detail.boundingBox();
    const gridBox = await grid.boundingBox();
    expect(box!.y).toBeGreaterThan(gridBox!.y + gridBox!.height - 1); // below the grid, full width
    await screenshot(page, 'records-audit-detail-1366');
    await expectNoSeriousA11yViolations(page, 'records-audit-1366');

    // Search finds records by their supplier's name and number as finance writes them (labels are searched too).
    const surname = koster.name.split(' ').at(-2)!;
    const matching = app.ctx.store.audit.count({ text: surname });
    expect(matching).toBe(18); // each of its 9 records read, then parked
    await page.getByLabel('Search').fill(surname);
    await page.getByText(`${matching} entries shown.`).waitFor();
    expect(await grid.getByRole('row').filter({ hasText: koster.name }).count()).toBeGreaterThan(0);
    await page.getByLabel('Search').fill('PO 20011');
    await page.getByText('2 entries shown.').waitFor();
    expect(await grid.getByRole('row').filter({ hasText: `PO 20011 · ${koster.name}` }).count()).toBe(2);
  });

  it('Audit history (1920 px): the message is read whole while no empty panel takes the width', async () => {
    const browser = await browserAt(1920, 1080, 'en-US');
    const { page } = browser;
    await openScreen(page, app, 'audit', 'Audit history');
    await page.getByLabel('Status').selectOption('parked');
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await grid.getByRole('row').filter({ hasText: `waits: Supplier ${koster.code}` }).first().waitFor();
    expect(await page.getByRole('complementary').count()).toBe(0);
    const gridBox = (await grid.boundingBox())!;
    expect(gridBox.width).toBeGreaterThan(1600);
    // Every message and document name in view fits its cell: nothing cut off.
    const clipped = await page.locator('.grid-body .col-message, .grid-body .col-document').evaluateAll((cells) =>
      cells.filter((c) => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1).map((c) => c.textContent),
    );
    expect(clipped).toEqual([]);
    await screenshot(page, 'records-audit-1920');
    // Opened, the detail sits beside the grid, which still shows every column.
    await grid.getByRole('row').filter({ hasText: `waits: Supplier ${koster.code}` }).first().click();
    const detail = page.getByRole('complementary', { name: /Details of entry \d+/ });
    await detail.getByRole('cell', { name: `${koster.code} ${koster.name}` }).waitFor();
    expect((await detail.boundingBox())!.x).toBeGreaterThan((await grid.boundingBox())!.x + 800);
    for (const header of await headersInside(browser, '.grid-head [role="columnheader"]')) expect(header.right, header.name).toBeLessThanOrEqual((await detail.boundingBox())!.x);
    await screenshot(page, 'records-audit-detail-1920');
    await expectNoSeriousA11yViolations(page, 'records-audit-1920');
  });

  it('Dashboard (1366 px): money per flow, project and supplier, and the value waiting', async () => {
    const browser = await browserAt(1366, 768, 'en-US');
    const { page } = browser;
    await openScreen(page, app, 'dashboard', 'Dashboard');
    await page.getByRole('status').filter({ hasText: 'Syncing is not available in this window' }).waitFor();
    const facts = page.getByRole('definition').filter({ hasText: /^€[\d,]+\.\d\d in 190 documents$/ });
    await facts.waitFor();
    await page.getByRole('link', { name: /^€355,149\.71 in 10 records, the oldest since / }).waitFor();
    const bySupplier = page.getByRole('table', { name: /By supplier \/ customer/ });
    const kosterRow = bySupplier.getByRole('row').filter({ hasText: koster.name });
    const kosterWaiting = sumByCurrency(app.ctx.store.parked.listOpen().map((p) => p.label!).filter((l) => l.counterparty === koster.name));
    await expect(kosterRow.innerText()).resolves.toContain(formatMoney(kosterWaiting[0]!.amount, 'EUR', 'en-US'));
    await page.getByRole('table', { name: /By project/ }).getByRole('rowheader', { name: /^P26-00\d / }).first().waitFor();
    await page.getByRole('cell', { name: /^€[\d,]+\.\d\d$/ }).first().waitFor(); // run history: value written
    await screenshot(page, 'records-dashboard-1366');
    await expectNoSeriousA11yViolations(page, 'records-dashboard-1366');
  });

  it('the audit CSV names each record and the target document', async () => {
    const result = await dispatch('audit.exportCsv', { filter: { text: 'Koster' } }, app.ctx);
    if (!result.ok) throw new Error(result.error.message);
    // The browser host delivers exports as a one-time download (decision 0025): fetch it as the browser would.
    const exported = result.value as { path: string | null; downloadUrl?: string };
    const csv = exported.path ? readFileSync(exported.path, 'utf8') : await (await fetch(new URL(exported.downloadUrl!, app.host.origin))).text();
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    const parked = rows.find((r) => r['document_number'] === '20011' && r['step'] === 'parked')!;
    expect(parked).toMatchObject({ document_type: 'Purchase order', counterparty: koster.name, counterparty_code: koster.code, document_amount: '39854.50', document_currency: 'EUR' });
    expect(rows.every((r) => r['counterparty'] === koster.name)).toBe(true);
  });

  it('ran under the strict CSP without console errors', () => {
    expect(browsers.flatMap((b) => b.problems)).toEqual([]);
  });
});
