// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { sandboxEngineForScreens } from '../../test/support/flow-sandbox-engine';
import { ipcOn } from '../../test/support/ipc-call';
import { SANDBOX } from '../../test/support/sandbox-engine';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { MappingsScreen } from './MappingsScreen';
import { PendingScreen } from './PendingScreen';

/**
 * Procore → Acumatica in happy-dom against the real handlers and the engine on the Procore and
 * Acumatica simulators (vendors new in Procore parked, not created), after one full sync: the
 * sandbox's cost-code table, whose planted row names a cost code Acumatica lacks, saved after
 * another row changed (decision 0027), and "Create this vendor in Acumatica" from Pending
 * validation. The tests share one data folder and run in order.
 */
const FLOW = 'procore-acumatica';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const plants = world.deliberate.acumatica;
const onlyInProcore = world.suppliers.filter((s) => s.acumaticaVendorId === null && s.procoreVendorId !== null);
const WARNING = new RegExp(
  `^Row \\d+: Acumatica cost code ${plants.missingCostCode} does not exist in Acumatica; records using it stay in Pending until it is created there or the row is changed$`,
);

const ctx = sandboxEngineForScreens(FLOW, 'mlc-f2-ui-', {
  prepare: (c) => c.store.connections.create({ id: 'sandbox-acumatica', system: 'acumatica', label: 'Acumatica (sandbox)', mode: 'sandbox', settings: { seed: SANDBOX.seed, scale: SANDBOX.scale, newVendors: 'park' } as never }),
  ready: (_c, engine) => engine.host.flows.flows.get(FLOW)!.runtime.run({ trigger: 'manual' }),
});
const ipc = () => ipcOn(ctx());

function renderAt(ui: React.ReactElement) {
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx()), () => () => undefined));
  render(<StoresContext.Provider value={stores}>{ui}</StoresContext.Provider>);
  return stores;
}

afterEach(() => cleanup());

describe('the cost-code table with a row naming a cost code Acumatica lacks', () => {
  it('saves a change to another row and shows, next to Save, which unchanged row still waits', async () => {
    const table = await ipc().value('mappings.get', { flow: FLOW, set: 'cost-codes' });
    const planted = table.rows.findIndex((r) => r.target['acumaticaCostCode'] === plants.missingCostCode);
    expect(planted).toBeGreaterThanOrEqual(0);
    const edit = planted === 0 ? 2 : 1;
    renderAt(<MappingsScreen route={parseRoute(`#/mappings?flow=${FLOW}&set=cost-codes`)} />);
    await screen.findByText(/^Pick values by name or code;/, {}, { timeout: 30_000 });
    const picker = screen.getByRole('combobox', { name: `Acumatica cost code, row ${edit}` }) as HTMLInputElement;
    fireEvent.change(picker, { target: { value: plants.onlyCostCode.code } });
    fireEvent.keyDown(picker, { key: 'Enter' });
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    await screen.findByText(/^Project tasks and cost codes v2 saved\./, {}, { timeout: 30_000 });
    const form = screen.getByRole('button', { name: 'Save mapping' }).closest('form')!;
    expect(within(form).getByText('Still waiting: 1 unchanged row names a value the target system does not have:')).toBeTruthy();
    expect(within(form).getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringMatching(WARNING)]);
    const saved = await ipc().value('mappings.get', { flow: FLOW, set: 'cost-codes' });
    expect(saved.rows[edit - 1]!.target['acumaticaCostCode']).toBe(plants.onlyCostCode.code);
    expect(saved.rows[planted]).toEqual(table.rows[planted]);
  }, 60_000);

  it('an import changing another row shows the unchanged row that still waits before it is imported', async () => {
    const table = await ipc().value('mappings.get', { flow: FLOW, set: 'cost-codes' });
    const planted = table.rows.findIndex((r) => r.target['acumaticaCostCode'] === plants.missingCostCode);
    // Another row (not the planted one, not the one changed above) moves to the code only Acumatica has.
    const other = table.rows.findIndex((r, i) => i !== planted && r.target['acumaticaCostCode'] !== plants.onlyCostCode.code);
    const lines = table.rows.map((r, i) =>
      [r.sourceKey['costCode'], r.sourceKey['procoreProjectId'] ?? '', r.target['task'], i === other ? plants.onlyCostCode.code : r.target['acumaticaCostCode']].join(','),
    );
    const csv = ['costCode,procoreProjectId,task,acumaticaCostCode', ...lines].join('\r\n');
    renderAt(<MappingsScreen route={parseRoute(`#/mappings?flow=${FLOW}&set=cost-codes`)} />);
    await screen.findByRole('button', { name: 'Import CSV' });
    const input = screen.getByLabelText('CSV file to import') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [new File([csv], 'codes.csv', { type: 'text/csv' })], configurable: true });
    fireEvent.change(input);
    const panel = await screen.findByRole('region', { name: 'Import codes.csv' });
    await within(panel).findByText('Imported as they are, but 1 unchanged row names a value the target system does not have:', {}, { timeout: 30_000 });
    expect(within(panel).getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringMatching(WARNING.source.replace('^Row', '^Line'))]);
    expect(within(panel).getByRole('button', { name: 'Import as Project tasks and cost codes v3' })).toBeTruthy();
  }, 60_000);
});

describe('Pending validation: create this vendor in Acumatica', () => {
  it('shows what will be created, creates it on confirmation, links it and releases the waiting records', async () => {
    const supplier = onlyInProcore[0]!;
    const id = String(supplier.procoreVendorId);
    renderAt(<PendingScreen />);
    const buttons = await screen.findAllByRole('button', { name: `Create this vendor in Acumatica for procore vendor id ${id}` }, { timeout: 30_000 });
    expect(buttons.length).toBeGreaterThan(0);
    fireEvent.click(buttons[0]!);
    const dialog = await screen.findByRole('dialog', { name: `Create vendor “${supplier.name}” in Acumatica` }, { timeout: 30_000 });
    expect(within(dialog).getByText(`From Procore vendor ${id}. Nothing is created until you confirm.`)).toBeTruthy();
    const facts = new Map([...dialog.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
    expect(facts.get('Name')).toBe(supplier.name);
    const vendorId = facts.get('Vendor ID')!;
    expect(vendorId).toMatch(/^\w+$/);
    expect((await ipc().value('mappings.get', { flow: FLOW, set: 'vendors' })).current?.version).toBe(1);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create vendor in Acumatica' }));
    const name = supplier.name.replace(/\./g, '\\.');
    await within(dialog).findByText(
      new RegExp(`^Created vendor “${name}” in Acumatica \\(vendor ${vendorId}\\) from Procore vendor ${id} and linked it in Vendors v2\\. \\d+ parked records were sent to sync again`),
      {},
      { timeout: 30_000 },
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryAllByRole('button', { name: `Create this vendor in Acumatica for procore vendor id ${id}` })).toEqual([]));
  }, 90_000);
});
