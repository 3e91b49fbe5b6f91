// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../src-shared/ipc';
import { dispatch } from '../../src-main/host/handlers';
import { SEEDED } from '../../src-main/sandbox/coupa/seed';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { sandboxEngineForScreens } from '../../test/support/flow-sandbox-engine';
import { ipcOn } from '../../test/support/ipc-call';
import { SANDBOX } from '../../test/support/sandbox-engine';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { MappingsScreen } from './MappingsScreen';

/**
 * F5's "Coupa accounts" table in happy-dom against the real handlers and the engine on the Exact
 * Online and Coupa simulators: a GL + cost-center pair whose segments both exist in the chart,
 * but that no account of the chart pairs, is refused at Save with the row and the chart named.
 */
const FLOW = 'exact-coupa';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);

const ctx = sandboxEngineForScreens(FLOW, 'mlc-f5-ui-');
afterEach(() => cleanup());

describe('the Coupa accounts table', () => {
  it('refuses at Save a row whose GL and cost-center segments exist but form no account of the chart, naming the row in finance words', async () => {
    const table = await ipcOn(ctx()).value('mappings.get', { flow: FLOW, set: 'accounts' });
    const edit = table.rows.findIndex((r) => r.target['coupaGlAccount'] !== SEEDED.loneAccount.glAccount);
    const row = table.rows[edit]!;
    const stores = createAppStores(createBridge((method, request) => dispatch(method, request, ctx()), () => () => undefined));
    render(
      <StoresContext.Provider value={stores}>
        <MappingsScreen route={parseRoute(`#/mappings?flow=${FLOW}&set=accounts`)} />
      </StoresContext.Provider>,
    );
    await screen.findByText(/^Pick values by name or code;/, {}, { timeout: 30_000 });
    const picker = screen.getByRole('combobox', { name: `Coupa cost-center segment ("none" = none), row ${edit + 1}` }) as HTMLInputElement;
    fireEvent.change(picker, { target: { value: SEEDED.loneAccount.costCenter } });
    fireEvent.keyDown(picker, { key: 'Enter' });
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    expect((await screen.findByRole('alert', {}, { timeout: 30_000 })).textContent).toBe(
      `Row ${edit + 1} (Exact Online GL account ${row.sourceKey['glAccountCode']} / Cost center ${row.sourceKey['costCenterCode']}): ` +
        `Coupa chart ${world.companyName} has no active account ${row.target['coupaGlAccount']}-${SEEDED.loneAccount.costCenter}; create it in Coupa or pick another pair.`,
    );
    expect((await ipcOn(ctx()).value('mappings.get', { flow: FLOW, set: 'accounts' })).current?.version).toBe(table.current?.version);
  }, 60_000);
});
