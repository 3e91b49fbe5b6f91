// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch as nodeFetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { ipcOn } from '../../test/support/ipc-call';
import { addProcoreVendor } from '../../test/support/procore-admin';
import { SANDBOX, startSandboxEngine } from '../../test/support/sandbox-engine';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { MappingsScreen } from './MappingsScreen';
import { PendingScreen } from './PendingScreen';

/**
 * Issue 17 in happy-dom against the real handlers and the engine `serve --sandbox` runs (Exact
 * Online and Procore simulators with the demo world), after one full sync: the pickers, the
 * checked import with its impact, and "Create this vendor in Procore" from Pending validation.
 * The tests share one data folder and run in order, as a user would go.
 */
const FLOW = 'exact-procore';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const planted = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
const pair = world.deliberate.unmappedPair;

let ctx: ReturnType<typeof createAppContext>;
let engine: Awaited<ReturnType<typeof startSandboxEngine>>;
const ipc = () => ipcOn(ctx);
const pageFetch = globalThis.fetch;

function renderAt(ui: React.ReactElement) {
  const stores = createAppStores(
    createBridge(
      (method, request) => dispatch(method, request, ctx),
      () => () => undefined,
    ),
  );
  render(<StoresContext.Provider value={stores}>{ui}</StoresContext.Provider>);
  return stores;
}
const mappingsAt = (set: string, key?: string) =>
  renderAt(<MappingsScreen route={parseRoute(`#/mappings?flow=${FLOW}&set=${set}${key ? `&key=${encodeURIComponent(key)}` : ''}`)} />);

/** A fresh data folder with the engine on the sandbox, after one full sync (the demo's gaps parked). */
async function startWorld(): Promise<void> {
  ctx = createAppContext({
    dataDir: mkdtempSync(join(tmpdir(), 'mlc-pickers-ui-')),
    credentials: new InMemoryCredentialStore(),
    log: silentLogger,
    appVersion: '0.0.0-test',
  });
  engine = await startSandboxEngine(ctx);
  await engine.host.flows.flows.get(FLOW)!.runtime.run({ trigger: 'manual' });
}

async function stopWorld(): Promise<void> {
  await engine?.close();
  ctx?.close();
  if (ctx) rmSync(ctx.dataDir, { recursive: true, force: true });
}

beforeAll(() => {
  // The engine's headless sandbox sign-in runs in main, where fetch is Node's.
  globalThis.fetch = nodeFetch as unknown as typeof globalThis.fetch;
});
afterAll(() => {
  globalThis.fetch = pageFetch;
});
afterEach(() => cleanup());

/** The pickers have their lists (read through the engine; slow on a loaded machine). */
const listsRead = () => screen.findByText(/^Pick values by name or code;/, {}, { timeout: 30_000 });

/** Chooses a file in the (visually hidden) file input behind "Import CSV". */
function chooseFile(name: string, text: string) {
  const input = screen.getByLabelText('CSV file to import') as HTMLInputElement;
  const file = new File([text], name, { type: 'text/csv' });
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

async function costLines() {
  const table = await ipc().value('mappings.get', { flow: FLOW, set: 'costs' });
  return table.rows.map((r) =>
    [r.sourceKey['glAccountCode'], r.sourceKey['costCenterCode'], r.sourceKey['costUnitCode'] ?? '', r.target['costCode'], r.target['lineItemTypeCode']].join(';'),
  );
}
const HEADER = 'glAccountCode;costCenterCode;costUnitCode;costCode;lineItemTypeCode';

describe('Mappings pickers and import', () => {
  beforeAll(startWorld, 120_000);
  afterAll(stopWorld);

  it('explain cost types by code and name, and search by name', async () => {
    mappingsAt('costs');
    await listsRead();
    const picker = screen.getByRole('combobox', { name: 'Cost type, row 1' }) as HTMLInputElement;
    expect(picker.value).toMatch(/^[A-Z] — [A-Z][a-z]+$/);
    fireEvent.change(picker, { target: { value: 'materi' } });
    const list = screen.getByRole('listbox', { name: 'Cost type, row 1: choices' });
    expect(within(list).getAllByRole('option').map((o) => o.textContent)).toEqual(['M — Materials']);
    fireEvent.keyDown(picker, { key: 'Enter' });
    expect(picker.value).toBe('M — Materials');
    expect(list.hidden).toBe(true);
    // The whole list for an empty search, the current value marked.
    fireEvent.change(picker, { target: { value: '' } });
    expect(within(list).getAllByRole('option').map((o) => o.textContent)).toEqual(
      world.lineItemTypes.map((t) => `${t.code} — ${t.name}`),
    );
  });

  it('fixes the planted unlinked supplier: its vendor, added in Procore, is picked by name and saved as its id', async () => {
    const vendor = await addProcoreVendor(engine.procoreAccess(), { name: 'Koster Bouwmaterialen (Amersfoort)' });
    mappingsAt('vendors', `vendor:${planted.code}`);
    const add = await screen.findByRole('button', { name: `Add mapping for ${planted.code}` });
    await listsRead();
    // The unmapped supplier is shown with its name from Exact, and can be created in Procore.
    const unmappedRow = add.closest('tr')!;
    expect(unmappedRow.textContent).toContain(planted.name);
    expect(within(unmappedRow).getByRole('button', { name: `Create a vendor in Procore for exact supplier code ${planted.code}` })).toBeTruthy();
    fireEvent.click(add);
    const picker = (await screen.findByRole('combobox', { name: 'Procore vendor, row 1' })) as HTMLInputElement;
    fireEvent.change(picker, { target: { value: 'koster amersf' } });
    const options = within(screen.getByRole('listbox', { name: 'Procore vendor, row 1: choices' })).getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([`Koster Bouwmaterialen (Amersfoort) Procore id ${vendor.id}`]);
    fireEvent.keyDown(picker, { key: 'ArrowDown' });
    fireEvent.keyDown(picker, { key: 'Enter' });
    expect(picker.value).toBe('Koster Bouwmaterialen (Amersfoort)');
    expect(document.getElementById(picker.getAttribute('aria-describedby')!)?.textContent).toBe(`id ${vendor.id}`);

    const waiting = ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-vendor').length;
    expect(waiting).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    await screen.findByText(/^Vendors v2 saved\. \d+ parked records were sent to sync again: \d+ went through, \d+ still wait/, {}, { timeout: 30_000 });
    expect(ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-vendor')).toEqual([]);
    const saved = await ipc().value('mappings.get', { flow: FLOW, set: 'vendors' });
    expect(saved.rows).toContainEqual({ sourceKey: { supplierCode: planted.code }, target: { procoreVendorId: vendor.id } });
    expect(screen.getByRole('link', { name: 'Vendors v2' })).toBeTruthy();
  }, 60_000);

  it('a value typed that Procore does not have is marked and refused with its row', async () => {
    mappingsAt('costs');
    await listsRead();
    const picker = screen.getByRole('combobox', { name: 'Procore cost code, row 2' }) as HTMLInputElement;
    fireEvent.change(picker, { target: { value: '99-999' } });
    fireEvent.blur(picker);
    expect(picker.value).toBe('99-999');
    expect(picker.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(picker.getAttribute('aria-describedby')!)?.textContent).toBe('Not in Procore');
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    expect((await screen.findByRole('alert', {}, { timeout: 30_000 })).textContent).toBe(
      'Row 2: Procore cost code 99-999 does not exist in Procore.',
    );
  });

  it('refuses a file naming a cost code Procore does not have, with its line', async () => {
    const lines = await costLines();
    mappingsAt('costs');
    await screen.findByRole('button', { name: 'Import CSV' });
    chooseFile('costs-bad.csv', [HEADER, `${pair.glAccountCode};${pair.costCenterCode};;01-999;O`, ...lines].join('\r\n'));
    const panel = await screen.findByRole('region', { name: 'Import costs-bad.csv' });
    await within(panel).findByText('Nothing can be imported until this is fixed in the file:', {}, { timeout: 30_000 });
    expect(within(panel).getByRole('listitem').textContent).toBe('Line 2: Procore cost code 01-999 does not exist in Procore');
    expect(within(panel).queryByRole('button', { name: /^Import as/ })).toBeNull();
    fireEvent.click(within(panel).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Import costs-bad.csv' })).toBeNull();
  });

  it('imports a semicolon file with a BOM after showing the records it releases; the same file again makes no version', async () => {
    const lines = await costLines();
    const waiting = ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-cost').length;
    expect(waiting).toBeGreaterThan(0);
    const csv = `\uFEFF${[HEADER, ...lines, `${pair.glAccountCode};${pair.costCenterCode};;01-900;O`].join('\r\n')}\r\n`;
    const stores = mappingsAt('costs');
    await screen.findByRole('button', { name: 'Import CSV' });
    chooseFile('kostenplaatsen.csv', csv);
    const panel = await screen.findByRole('region', { name: 'Import kostenplaatsen.csv' });
    await within(panel).findByText(
      `Impact: ${waiting} parked record${waiting === 1 ? ' is' : 's are'} released (retried at once), and 0 records already written are coded differently from now on.`,
      {},
      { timeout: 30_000 },
    );
    expect(panel.textContent).toContain(`${lines.length + 1} rows read (“;” between cells). Compared with Cost codes v1: 1 added, 0 changed, 0 removed, ${lines.length} unchanged.`);
    expect(panel.textContent).toContain('Every value to write exists in Procore.');
    // Nothing is saved before the go-ahead.
    expect((await ipc().value('mappings.get', { flow: FLOW, set: 'costs' })).current?.version).toBe(1);
    fireEvent.click(within(panel).getByRole('button', { name: 'Import as Cost codes v2' }));
    await screen.findByText(
      new RegExp(`^Imported ${lines.length + 1} rows from kostenplaatsen\\.csv as Cost codes v2\\. \\d+ parked records? (was|were) sent to sync again: `),
      {},
      { timeout: 30_000 },
    );
    expect(ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-cost')).toEqual([]);
    expect(stores.mappings.getState().importing).toBeNull();

    chooseFile('kostenplaatsen.csv', csv);
    const again = await screen.findByRole('region', { name: 'Import kostenplaatsen.csv' });
    await within(again).findByText(
      'The file holds exactly the rows of Cost codes v2: there is nothing to import, and no new version is made.',
      {},
      { timeout: 30_000 },
    );
    expect(within(again).queryByRole('button', { name: /^Import as/ })).toBeNull();
    expect((await ipc().value('mappings.get', { flow: FLOW, set: 'costs' })).versions.map((v) => v.version)).toEqual([2, 1]);
  }, 60_000);
});

describe('Pending validation: create this vendor in Procore', () => {
  beforeAll(startWorld, 120_000);
  afterAll(stopWorld);

  it('shows what will be created, creates it on confirmation, links it and releases the waiting records', async () => {
    const waiting = ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-vendor').length;
    expect(waiting).toBeGreaterThan(0);
    renderAt(<PendingScreen />);
    const buttons = await screen.findAllByRole('button', { name: `Create this vendor in Procore for exact supplier code ${planted.code}` });
    expect(buttons.length).toBe(waiting);
    // Escape closes the dialog, creates nothing and gives the focus back.
    buttons[0]!.focus();
    fireEvent.click(buttons[0]!);
    const first = await screen.findByRole('dialog', { name: `Create vendor “${planted.name}” in Procore` }, { timeout: 30_000 });
    fireEvent.keyDown(first, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(buttons[0]);
    expect((await ipc().value('mappings.get', { flow: FLOW, set: 'vendors' })).current?.version).toBe(1);

    fireEvent.click(buttons[0]!);
    const dialog = await screen.findByRole('dialog', { name: `Create vendor “${planted.name}” in Procore` }, { timeout: 30_000 });
    expect(within(dialog).getByText(`From Exact Online supplier ${planted.code}. Nothing is created until you confirm.`)).toBeTruthy();
    const facts = [...dialog.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]);
    expect(facts).toEqual(
      expect.arrayContaining([
        ['Name', planted.name],
        ['External ID', planted.code],
        ['Country', planted.country],
        ['Email', planted.email],
      ]),
    );
    // Nothing exists in Procore yet.
    expect(await ipc().value('mappings.get', { flow: FLOW, set: 'vendors' })).toMatchObject({ current: { version: 1 } });
    const confirm = within(dialog).getByRole('button', { name: 'Create vendor in Procore' });
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    fireEvent.click(confirm);
    const name = planted.name.replace(/\./g, '\\.');
    await within(dialog).findByText(
      new RegExp(`^Created vendor “${name}” in Procore \\(vendor \\d+\\) from Exact Online supplier ${planted.code} and linked it in Vendors v2\\. \\d+ parked records were sent to sync again: \\d+ went through, \\d+ still wait`),
      {},
      { timeout: 30_000 },
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // The released records leave the list; the focus goes to the page heading (their rows are gone).
    await waitFor(() => expect(screen.queryAllByRole('button', { name: /^Create this vendor in Procore/ })).toEqual([]));
    expect(ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-vendor')).toEqual([]);
  }, 90_000);

  it('with nothing left to link, "Suggest links" says so and what else can be done', async () => {
    renderAt(<MappingsScreen route={parseRoute(`#/mappings?flow=${FLOW}&set=vendors`)} />);
    await screen.findByRole('button', { name: 'Suggest links from Procore' });
    fireEvent.click(screen.getByRole('button', { name: 'Suggest links from Procore' }));
    // Nothing waits any more, so nothing is suggested: the message says what else can be done.
    const empty = await screen.findByText('No new suggestions: every supplier with a matching Procore vendor is linked.');
    expect(empty.closest('[role="status"]')?.textContent).toContain('Nothing is waiting for a vendor link.');
  });
});
