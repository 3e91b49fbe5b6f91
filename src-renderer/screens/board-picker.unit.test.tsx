// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBridge, type IpcMethodName } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_MONDAY_ID } from '../../src-main/host/systems/monday';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { ipcOn } from '../../test/support/ipc-call';
import { sandboxEngineForScreens } from '../../test/support/flow-sandbox-engine';
import { SANDBOX } from '../../test/support/sandbox-engine';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { ConnectionsScreen } from './ConnectionsScreen';

/**
 * "Choose boards" on the monday.com row of the Connections screen (issue 13), in happy-dom
 * against the real handlers and the engine on the F4 sandbox (Exact Online and monday.com
 * simulators with the demo world): the boards are the account's, by name; a choice is saved as
 * a new version of the same Boards table Mappings → Boards edits.
 */
const FLOW = 'exact-monday';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const boardOf = (type: string) => world.mondayBoards.find((b) => b.documentType === type)!;

type Ctx = ReturnType<typeof createAppContext>;
type Dispatch = (method: IpcMethodName, request: unknown) => ReturnType<typeof dispatch>;

function renderScreen(ctx: Ctx, override?: (method: IpcMethodName, request: unknown, real: Dispatch) => ReturnType<typeof dispatch>) {
  const real: Dispatch = (method, request) => dispatch(method, request, ctx);
  const stores = createAppStores(
    createBridge(
      (method, request) => (override ? override(method, request, real) : real(method, request)),
      () => () => undefined,
    ),
  );
  render(
    <StoresContext.Provider value={stores}>
      <ConnectionsScreen />
    </StoresContext.Provider>,
  );
}

const boardSelect = (type: string) => screen.getByRole('combobox', { name: `Board for ${type}` }) as HTMLSelectElement;
const groupSelect = (type: string) => screen.getByRole('combobox', { name: `Group for ${type}` }) as HTMLSelectElement;
const selectedText = (select: HTMLSelectElement) => select.selectedOptions[0]?.textContent;

afterEach(() => cleanup());

describe('Choose boards on the sandbox', () => {
  const ctx = sandboxEngineForScreens(FLOW, 'mlc-boards-ui-', {
    // The first read through the flow opens its sandbox connections and seeds the demo mappings.
    ready: (c) => ipcOn(c).value('mappings.reference', { flow: FLOW, set: 'boards' }),
  });

  it('offers "Choose boards" on the monday.com row only, and shows each document type on its board by name', async () => {
    renderScreen(ctx());
    const button = await screen.findByRole('button', { name: /^Choose boards for monday\.com/ });
    expect(screen.getAllByRole('button', { name: /^Choose boards/ })).toHaveLength(1);
    fireEvent.click(button);
    await screen.findByRole('combobox', { name: 'Board for Purchase order' }, { timeout: 30_000 });
    for (const [type, label] of [['purchase-order', 'Purchase order'], ['sales-invoice', 'Sales invoice'], ['sales-order', 'Sales order']] as const) {
      expect(selectedText(boardSelect(label))).toBe(boardOf(type).name);
      expect(selectedText(groupSelect(label))).toBe(boardOf(type).groupTitle);
    }
    // Every board the account has, by name (never an id), plus "Not synced".
    expect([...boardSelect('Purchase order').options].map((o) => o.textContent)).toEqual(['Not synced', ...world.mondayBoards.map((b) => b.name)]);
  });

  it('a board chosen here is a new version of the Boards table, with a group of that board, the rest kept', async () => {
    const before = await ipcOn(ctx()).value('mappings.get', { flow: FLOW, set: 'boards' });
    renderScreen(ctx());
    fireEvent.click(await screen.findByRole('button', { name: /^Choose boards for monday\.com/ }));
    await screen.findByRole('combobox', { name: 'Board for Sales order' }, { timeout: 30_000 });
    const other = boardOf('sales-invoice');
    fireEvent.change(boardSelect('Sales order'), { target: { value: other.mondayBoardId } });
    // The group follows the board: only that board's groups are offered.
    expect(selectedText(groupSelect('Sales order'))).toBe(other.groupTitle);
    expect([...groupSelect('Sales order').options].map((o) => o.textContent)).toEqual([other.groupTitle]);
    fireEvent.click(screen.getByRole('button', { name: 'Save boards' }));
    const saved = await screen.findByText(/^Boards v\d+ saved \(also under Mappings → Boards\)\./, {}, { timeout: 30_000 });
    expect(saved.getAttribute('role')).toBe('status');

    const after = await ipcOn(ctx()).value('mappings.get', { flow: FLOW, set: 'boards' });
    expect(after.current!.version).toBe(before.current!.version + 1);
    const row = (type: string, table = after) => table.rows.find((r) => r.sourceKey['documentType'] === type)!;
    // The row keeps its own cancellation/deletion policy; only board and group changed.
    expect(row('sales-order').target).toEqual({ ...row('sales-order', before).target, boardId: other.mondayBoardId, groupId: other.groupId });
    expect(row('purchase-order')).toEqual(row('purchase-order', before));
    expect(row('sales-invoice')).toEqual(row('sales-invoice', before));
  });
});

describe('Choose boards when the boards cannot be listed', () => {
  let ctx: Ctx;
  beforeAll(() => {
    ctx = createAppContext({ dataDir: mkdtempSync(join(tmpdir(), 'mlc-boards-ui-none-')), credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
    ctx.store.connections.create({ id: LIVE_MONDAY_ID, system: 'monday', label: 'monday.com', mode: 'live', settings: {} });
  });
  afterAll(() => {
    ctx?.close();
    if (ctx) rmSync(ctx.dataDir, { recursive: true, force: true });
  });

  it('is not offered before the connection works', async () => {
    renderScreen(ctx);
    await screen.findByRole('button', { name: 'Test connection monday.com' });
    expect(screen.queryByRole('button', { name: /^Choose boards/ })).toBeNull();
  });

  it('says in words why nothing can be chosen when the lists cannot be read', async () => {
    ctx.store.connections.setStatus(LIVE_MONDAY_ID, 'connected');
    // No engine runs in this process: the lists cannot be read through a flow.
    renderScreen(ctx);
    fireEvent.click(await screen.findByRole('button', { name: /^Choose boards for monday\.com/ }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The sync engine is not running in this process.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save boards' })).toBeNull();
  });

  it('says the account has no boards when monday.com lists none', async () => {
    renderScreen(ctx, async (method, request, real) =>
      method === 'mappings.reference'
        ? {
            ok: true,
            value: {
              readAt: new Date().toISOString(),
              apiCalls: null,
              fields: {
                documentType: { system: 'exact-online', error: null, options: [{ value: 'purchase-order', label: 'Purchase order', code: 'purchase-order', detail: null }] },
                boardId: { system: 'monday', error: null, options: [] },
                groupId: { system: 'monday', error: null, options: [] },
              },
            },
          }
        : real(method, request),
    );
    fireEvent.click(await screen.findByRole('button', { name: /^Choose boards for monday\.com/ }));
    await waitFor(() => expect(screen.getByText(/monday\.com shows this account nothing to choose from/)).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Save boards' })).toBeNull();
  });
});
