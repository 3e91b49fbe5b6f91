// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import type { AppContext } from '../../src-main/host/context';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { sandboxEngineForScreens } from '../../test/support/flow-sandbox-engine';
import { ipcOn } from '../../test/support/ipc-call';
import { SANDBOX } from '../../test/support/sandbox-engine';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { MappingsScreen } from './MappingsScreen';

/**
 * "Suggest links" is not F1's alone: on Procore → Acumatica's vendor links (a flow whose table
 * names its columns procoreVendorId and acumaticaVendorId) the panel reads both systems, names
 * them, and an accepted link is saved under that table's own columns. In happy-dom against the
 * real handlers and the engine on the Procore and Acumatica simulators.
 */
const FLOW = 'procore-acumatica';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const linked = world.suppliers.filter((s) => s.procoreVendorId !== null && s.acumaticaVendorId !== null);

function renderTable(ctx: AppContext, set: string) {
  const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx), () => () => undefined));
  render(
    <StoresContext.Provider value={stores}>
      <MappingsScreen route={parseRoute(`#/mappings?flow=${FLOW}&set=${set}`)} />
    </StoresContext.Provider>,
  );
}

describe('suggested links on another flow than F1', () => {
  const ctx = sandboxEngineForScreens(FLOW, 'mlc-link-suggest-ui-');
  afterEach(() => cleanup());

  it('suggests the Acumatica vendor of a Procore vendor whose link is missing; Accept and Save store it under the table’s columns', async () => {
    const vendor = linked[0]!;
    const before = await ipcOn(ctx()).value('mappings.get', { flow: FLOW, set: 'vendors' });
    await ipcOn(ctx()).value('mappings.save', {
      flow: FLOW,
      set: 'vendors',
      rows: before.rows.filter((r) => r.sourceKey['procoreVendorId'] !== String(vendor.procoreVendorId)),
      note: 'test: one link missing',
      baseVersion: before.current?.version ?? null,
    });

    renderTable(ctx(), 'vendors');
    fireEvent.click(await screen.findByRole('button', { name: 'Suggest links from Acumatica' }));
    const table = await screen.findByRole('table', { name: 'Suggested vendor to vendor links' }, { timeout: 30_000 });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Procore vendor', 'Acumatica vendor', 'Why', 'Actions']);
    fireEvent.click(
      within(table).getByRole('button', { name: `Accept link from vendor ${vendor.procoreVendorId} to vendor ${vendor.acumaticaVendorId}` }),
    );
    // The accepted link leaves the list: it is a row of the table now, under the table's own columns.
    await waitFor(() => expect(screen.queryByRole('button', { name: new RegExp(`from vendor ${vendor.procoreVendorId} `) })).toBeNull());
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    await screen.findByText(/^Vendors v3 saved\./);
    const after = await ipcOn(ctx()).value('mappings.get', { flow: FLOW, set: 'vendors' });
    expect(after.rows).toContainEqual({ sourceKey: { procoreVendorId: String(vendor.procoreVendorId) }, target: { acumaticaVendorId: vendor.acumaticaVendorId } });
  });

  it('a table whose flow suggests no links shows no panel', async () => {
    renderTable(ctx(), 'costs');
    await screen.findByRole('button', { name: 'Save mapping' });
    expect(screen.queryByRole('button', { name: /^Suggest links/ })).toBeNull();
  });
});
