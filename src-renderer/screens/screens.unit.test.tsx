// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridge, type FlowCatalogEntry, type FlowOverview } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { seedDemo } from '../../test/e2e/support/seed';
import { parseRoute } from '../app/router';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { formatAmount } from '../ui/format';
import { DashboardScreen } from './DashboardScreen';
import { reconcile } from '../../src-main/engine/reconcile/reconcile';
import { MappingsScreen } from './MappingsScreen';
import { fixMappingHref, PendingScreen } from './PendingScreen';
import { ReconciliationScreen } from './ReconciliationScreen';

/** Key screens rendered in happy-dom against the real handlers and a seeded SQLite file. */

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;

function renderWithStores(ui: React.ReactElement) {
  const stores = createAppStores(
    createBridge(
      (method, request) => dispatch(method, request, ctx),
      () => () => undefined,
    ),
  );
  render(<StoresContext.Provider value={stores}>{ui}</StoresContext.Provider>);
  return stores;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-screens-ui-'));
  ctx = createAppContext({
    dataDir,
    credentials: new InMemoryCredentialStore(),
    log: silentLogger,
    // happy-dom replaces URL, which package.json lookup needs.
    appVersion: '0.0.0-test',
  });
  seedDemo(ctx.store);
});

afterEach(() => {
  cleanup();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Pending validation', () => {
  it('shows each cause with its count, a fix link per record and selection-aware Retry', async () => {
    renderWithStores(<PendingScreen />);
    expect(screen.getByRole('heading', { level: 1, name: 'Pending validation' })).toBeTruthy();
    const cost = await screen.findByRole('region', { name: /GL account 4400 \/ cost center KST-12/ });
    expect(within(cost).getByRole('heading', { level: 2 }).textContent).toContain('(1)');
    const link = within(cost).getByRole('link', { name: 'Fix mapping cost:4400|KST-12|' });
    expect(link.getAttribute('href')).toBe(
      '#/mappings?flow=exact-procore&set=costs&key=cost%3A4400%7CKST-12%7C',
    );
    const retrySelected = screen.getByRole('button', { name: 'Retry selected (0)' }) as HTMLButtonElement;
    expect(retrySelected.disabled).toBe(true);
    fireEvent.click(within(cost).getByRole('checkbox', { name: 'Select purchase-orders PO-26-0007' }));
    expect((screen.getByRole('button', { name: 'Retry selected (1)' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('lists a record written with a flag as "created, needs review", apart from parked ones', async () => {
    ctx.store.parked.park({
      flow: 'exact-procore',
      stream: 'purchase-orders',
      sourceId: 'PO-FLAGGED',
      reasonCode: 'needs-review:unmapped-gl-account',
      reasonText: 'GL account 4990 is not among the reference values',
      details: { issues: [{ mappingKeys: ['cost:4990|KST-19|'] }], flagged: true },
    });
    renderWithStores(<PendingScreen />);
    const flagged = await screen.findByRole('region', { name: /^Created, needs review: GL account 4990/ });
    expect(flagged.getAttribute('data-state')).toBe('flagged');
    expect(within(flagged).getByRole('columnheader', { name: 'Listed since' })).toBeTruthy();
    expect(within(flagged).getByRole('heading', { level: 2 }).textContent).toContain('Created, needs review: GL account 4990 is not among the reference values');
    const parked = screen.getByRole('region', { name: /GL account 4400 \/ cost center KST-12/ });
    expect(parked.getAttribute('data-state')).toBe('parked');
  });

  it('links a mapping key to its table, and nothing for keys of no table', async () => {
    const catalog = ((await dispatch('flows.catalog', {}, ctx)) as { ok: true; value: { flows: FlowCatalogEntry[] } }).value.flows;
    expect(fixMappingHref(catalog, 'exact-procore', 'vendor:SUP-1')).toBe(
      '#/mappings?flow=exact-procore&set=vendors&key=vendor%3ASUP-1',
    );
    expect(fixMappingHref(catalog, 'exact-procore', 'unknown:1')).toBeNull();
  });
});

describe('Mappings', () => {
  it('lists unmapped values first; "Add mapping" prefills a row and makes the table savable', async () => {
    renderWithStores(<MappingsScreen route={parseRoute('#/mappings?flow=exact-procore&set=costs')} />);
    const add = await screen.findByRole('button', { name: 'Add mapping for 4400 / KST-12 / any' });
    const rows = screen.getAllByRole('row');
    // Header first, then the unmapped value, then the saved mapping.
    expect(rows[1]!.getAttribute('data-mapping-key')).toBe('cost:4400|KST-12|');
    expect((screen.getByRole('button', { name: 'Save mapping' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(add);
    await waitFor(() => expect(screen.queryByRole('button', { name: /Add mapping for/ })).toBeNull());
    expect((screen.getByLabelText('GL account, row 1') as HTMLInputElement).value).toBe('4400');
    expect((screen.getByLabelText('GL account, row 2') as HTMLInputElement).value).toBe('4000');
    expect((screen.getByRole('button', { name: 'Save mapping' }) as HTMLButtonElement).disabled).toBe(false);
    // Versions are named per table, as audit entries and messages name them.
    expect(screen.getByRole('link', { name: 'Cost codes v1' })).toBeTruthy();
    expect([...document.querySelectorAll('.lead')].map((p) => p.textContent)).toContainEqual(
      expect.stringMatching(/\. Cost codes v1 \(current\), 1 row\.$/),
    );
  });

  it('offers the target other rows of the same GL account use, filled in only when accepted', async () => {
    ctx.store.parked.park({
      flow: 'exact-procore',
      stream: 'purchase-orders',
      sourceId: 'PO-X',
      reasonCode: 'unmapped-cost',
      reasonText: 'GL 4000 / KST-99 has no cost code',
      details: { issues: [{ mappingKeys: ['cost:4000|KST-99|'] }] },
    });
    renderWithStores(<MappingsScreen route={parseRoute('#/mappings?flow=exact-procore&set=costs')} />);
    const row = (await screen.findByRole('button', { name: 'Add mapping for 4000 / KST-99 / any' })).closest(
      'tr',
    )!;
    expect(row.textContent).toContain(
      'Suggested: 01-100 / M (1 of 1 mapped row with GL account 4000 uses it)',
    );
    fireEvent.click(
      within(row).getByRole('button', { name: 'Accept suggestion 01-100 / M for 4000 / KST-99 / any' }),
    );
    await waitFor(() =>
      expect((screen.getByLabelText('Cost center, row 1') as HTMLInputElement).value).toBe('KST-99'),
    );
    expect((screen.getByLabelText('Procore cost code, row 1') as HTMLInputElement).value).toBe('01-100');
    expect((screen.getByLabelText('Cost type, row 1') as HTMLInputElement).value).toBe('M');
  });
});

describe('Dashboard', () => {
  it('without an engine, says so and shows "Sync now" disabled with the reason', async () => {
    renderWithStores(<DashboardScreen />);
    await screen.findByText('Syncing is not available in this window');
    // F1's card (every flow of the registry has one).
    const card = screen.getByRole('region', { name: 'Exact Online → Procore' });
    const sync = within(card).getByRole('button', { name: 'Sync now' }) as HTMLButtonElement;
    expect(sync.disabled).toBe(true);
    expect(document.getElementById(sync.getAttribute('aria-describedby')!)?.textContent).toContain(
      'needs the sync engine',
    );
    // The recorded run is still listed.
    expect(screen.getByRole('cell', { name: 'partial' })).toBeTruthy();
  });

  it('a flow that wrote records with a flag counts them apart from the parked ones ("created, needs review")', async () => {
    const card: FlowOverview = {
      flow: 'exact-procore',
      title: 'Exact Online → Procore',
      unavailable: null,
      connections: [],
      lastRun: null,
      nextRunAt: null,
      counts: { synced: 40, parked: 3, needsReview: 2, failed: 0 },
      running: null,
      recentRuns: [],
    };
    const refuse = () => Promise.reject(new Error('not in this test'));
    ctx.engine = { flows: async () => [card], startSync: refuse, replayAudit: refuse, retryParked: refuse, mappingsChanged: refuse, suggestVendorLinks: refuse, reconcile: refuse };
    renderWithStores(<DashboardScreen />);
    const region = await screen.findByRole('region', { name: 'Exact Online → Procore' });
    const term = await within(region).findByText('Created, needs review');
    expect(term.nextElementSibling?.textContent).toBe('2');
    expect(within(region).getByText('Parked').nextElementSibling?.textContent).toBe('3');
  });

  it('when a flow cannot run in this host, its card shows the reason and where to fix it', async () => {
    const reason = 'Exact Online is connected; Exact Online → Procore also needs Procore: connect it under Connections.';
    const card: FlowOverview = {
      flow: 'exact-procore',
      title: 'Exact Online → Procore',
      unavailable: reason,
      connections: [],
      lastRun: null,
      nextRunAt: null,
      counts: { synced: 0, parked: 0, failed: 0 },
      running: null,
      recentRuns: [],
    };
    const refuse = () => Promise.reject(new Error('not in this test'));
    ctx.engine = { flows: async () => [card], startSync: refuse, replayAudit: refuse, retryParked: refuse, mappingsChanged: refuse, suggestVendorLinks: refuse, reconcile: refuse };
    renderWithStores(<DashboardScreen />);
    expect((await screen.findByText(/also needs Procore/)).textContent).toContain(
      'Exact Online → Procore also needs Procore: connect it under Connections.',
    );
    const sync = screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement;
    expect(sync.disabled).toBe(true);
    const hint = document.getElementById(sync.getAttribute('aria-describedby')!)!;
    expect(hint.querySelector('a')?.getAttribute('href')).toBe('#/connections');
  });
});

describe('Reconciliation', () => {
  it('an item in monday.com only reads so, in the documents that differ and in the totals', async () => {
    const report = reconcile({ flow: 'exact-monday', title: 'Exact Online → monday.com', generatedAt: '2026-12-04T10:00:00.000Z', apiCalls: { monday: 6 }, systems: { source: 'Exact Online', target: 'monday.com' } }, [
      { sourceId: 'po-1', documentType: 'Purchase order', documentNumber: '20001', counterparty: 'Koster B.V.', project: null, currency: 'EUR', targetKey: 'po-1', expected: '100.00', actual: '100.00', confirmed: '100.00', parkedReason: null, deletedAtSource: false, lineCount: 1, targetId: '11' },
      { sourceId: 'monday-item:12', documentType: 'monday.com item', documentNumber: 'Scaffolding quote on board Purchase orders (no key)', counterparty: null, project: null, currency: 'EUR', targetKey: '', expected: null, actual: '250.00', confirmed: null, parkedReason: null, deletedAtSource: false, lineCount: 1, targetId: '12', targetOnly: true },
    ]);
    const refuse = () => Promise.reject(new Error('not in this test'));
    ctx.engine = { flows: async () => [], startSync: refuse, replayAudit: refuse, retryParked: refuse, mappingsChanged: refuse, suggestVendorLinks: refuse, reconcile: async () => ({ ...report, csvPath: join(dataDir, 'reconciliation.csv') }) };
    renderWithStores(<ReconciliationScreen />);
    const flow = (await screen.findByRole('combobox', { name: 'Flow' })) as HTMLSelectElement;
    await waitFor(() => expect(flow.querySelector('option[value="exact-monday"]')).toBeTruthy());
    fireEvent.change(flow, { target: { value: 'exact-monday' } });
    fireEvent.click(screen.getByRole('button', { name: 'Reconcile now' }));
    const documents = await screen.findByRole('table', { name: 'Documents' });
    const rows = within(documents).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringMatching(/^monday\.com item Scaffolding quote on board Purchase orders \(no key\).*—.*250\.00.*in monday\.com only — not from Exact Online$/)]);
    const totals = screen.getByRole('table', { name: 'Totals' });
    expect(within(totals).getAllByRole('row')[1]!.textContent).toContain('1 in monday.com only');
  });
});

describe('amounts', () => {
  it('formats exact decimal strings with currency and the locale’s separators', () => {
    expect(formatAmount('1234567.8', 'EUR', 'en-US')).toBe('€1,234,567.80');
    expect(formatAmount('1234567.8', 'EUR', 'nl-NL')).toBe('€\u00a01.234.567,80');
    // Beyond a double's precision: still exact to the cent.
    expect(formatAmount('12345678901234567.89', 'USD', 'en-US')).toBe('$12,345,678,901,234,567.89');
    expect(formatAmount('-0.05', 'EUR', 'en-US')).toBe('-€0.05');
    expect(formatAmount(null, null)).toBe('');
  });
});
