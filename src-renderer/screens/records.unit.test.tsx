// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput, JsonValue } from '../../src-shared/domain/audit';
import type { PurchaseOrder } from '../../src-shared/domain/records';
import { createBridge } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { procoreLabel, purchaseOrderLabel } from '../../src-main/engine/flows/exact-procore/labels';
import { DEFAULT_POLICY, type ExactProcoreMappings, type ProcoreReference } from '../../src-main/engine/flows/exact-procore/model';
import { planPurchaseOrder } from '../../src-main/engine/flows/exact-procore/plan';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { StoresContext } from '../app/services';
import { createAppStores } from '../stores';
import { AuditScreen } from './AuditScreen';
import { DashboardScreen } from './DashboardScreen';
import { PendingScreen } from './PendingScreen';

/**
 * Records as finance names them, in happy-dom against the real handlers and a SQLite file seeded
 * the way a sync leaves it: a parked purchase order of the demo's unlinked supplier, and one
 * written to Procore (labels, snapshot, plan and target record).
 */

const FLOW = 'exact-procore';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NBSP = '\u00a0';

const mappings: ExactProcoreMappings = {
  version: 1,
  projects: new Map([['P26-001', '562949953421313']]),
  costs: [{ glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, costCode: '03-300', lineItemTypeCode: 'M' }],
  vendors: new Map([['40004', '562949953500004']]),
};
const ref: ProcoreReference = {
  projects: new Map([['562949953421313', { name: 'Kantoorpand Zuidas', costCodes: new Map([['03-300', '9001']]) }]]),
  lineItemTypes: new Map([['M', '71']]),
  vendors: new Map([['562949953500004', 'Betonstaal Vlaanderen NV']]),
};

function po(number: string, sourceId: string, supplier: { code: string; name: string }, amounts: string[]): PurchaseOrder {
  return {
    kind: 'purchase-order',
    sourceId,
    number,
    supplier: { sourceId: `s-${supplier.code}`, ...supplier },
    orderDate: '2026-06-12',
    description: 'Metselwerk',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '1',
    lines: amounts.map((amount, i) => ({
      sourceLineId: `${sourceId}-l${i + 1}`,
      lineNumber: i + 1,
      itemCode: null,
      glAccountCode: '4000',
      costCenterCode: 'KST-10',
      costUnitCode: null,
      projectCode: 'P26-001',
      description: `Regel ${i + 1}`,
      quantity: '1',
      unitPrice: amount,
      unit: 'pc',
      amount,
    })),
  };
}

const parkedPo = po('20011', 'a6d34bd3-4d45-454d-a129-39b9f5b9bf58', { code: '40030', name: 'Bouwmaterialen Groothandel Koster B.V.' }, ['39000.00', '854.50']);
const writtenPo = po('20001', '5b991ce9-6eb3-4adf-ba7a-d8d3d3e720b0', { code: '40004', name: 'Betonstaal Vlaanderen NV' }, ['1000.00', '250.00']);

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;

function seed(): void {
  const store = ctx.store;
  const name = (code: string) => (code === 'P26-001' ? 'Kantoorpand Zuidas' : null);
  const base = { flow: FLOW, runId: 'run-1', mappingVersion: 1, targetSystem: 'procore', result: null } as const;
  // Parked: read, then parked (the parked row keeps its entry's number).
  const parkedLabel = purchaseOrderLabel(parkedPo, name);
  const { snapshot } = store.snapshots.record(FLOW, 'purchase-orders', parkedPo.sourceId, parkedPo as unknown as JsonValue);
  const [, parkEntry] = store.audit.appendMany([
    { ...base, entity: 'purchase-order', sourceId: parkedPo.sourceId, step: 'fetched', status: 'ok', targetId: null, amount: null, currency: null, sourceSnapshot: parkedPo as unknown as JsonValue, targetPayload: null, message: 'Purchase order 20011 read from the source', label: parkedLabel },
    { ...base, entity: 'purchase-order', sourceId: parkedPo.sourceId, step: 'parked', status: 'parked', targetId: null, amount: null, currency: null, sourceSnapshot: parkedPo as unknown as JsonValue, targetPayload: null, message: 'Purchase order 20011 waits: Supplier 40030 (Bouwmaterialen Groothandel Koster B.V.) is not linked to a Procore vendor', label: parkedLabel },
  ] satisfies AuditEntryInput[]);
  store.parked.park({ flow: FLOW, stream: 'purchase-orders', sourceId: parkedPo.sourceId, reasonCode: 'unmapped-vendor', reasonText: 'Supplier 40030 (Bouwmaterialen Groothandel Koster B.V.) is not linked to a Procore vendor', details: { issues: [], mappingKeys: ['vendor:40030'] }, snapshotId: snapshot.id, mappingVersion: 1, label: parkedLabel, auditSeq: parkEntry!.seq });
  // Written: what Procore got for PO 20001, with Procore's id.
  const plan = planPurchaseOrder(writtenPo, mappings, ref, DEFAULT_POLICY);
  if (!plan.ok) throw new Error('the test order must plan');
  const commitment = plan.writes[0]!;
  const label = purchaseOrderLabel(writtenPo, name);
  const targetLabel = procoreLabel(commitment, '562949953421312', ref, () => 'P26-001');
  store.audit.append({ ...base, entity: 'purchase-order', sourceId: writtenPo.sourceId, step: 'written', status: 'ok', targetId: '562949953421312', amount: commitment.total, currency: 'EUR', sourceSnapshot: writtenPo as unknown as JsonValue, targetPayload: commitment as unknown as JsonValue, message: 'Purchase order 20001 written to Procore as commitment 562949953421312', label, targetLabel });
  store.targetRecords.upsert({ flow: FLOW, entity: 'commitment', originId: commitment.originId, sourceId: writtenPo.sourceId, targetSystem: 'procore', targetId: '562949953421312', containerId: commitment.projectId, payloadHash: 'h', payload: commitment as unknown as JsonValue, mappingVersion: 1, label, targetLabel });
  const run = store.runs.start('run-1', FLOW, 'manual');
  store.runs.finish(run.id, 'partial', { created: 1, parked: 1 });
}

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
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-records-ui-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
  seed();
});

afterEach(() => {
  cleanup();
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Pending validation names records as finance does', () => {
  it('"PO 20011 · Bouwmaterialen Groothandel Koster B.V." with project, date, amount and its audit number; no guid', async () => {
    renderWithStores(<PendingScreen />);
    const button = await screen.findByRole('button', { name: 'PO 20011 · Bouwmaterialen Groothandel Koster B.V.' });
    const row = button.closest('tr')!;
    const cells = within(row).getAllByRole('cell').map((c) => c.textContent);
    expect(cells).toEqual(expect.arrayContaining(['2', 'P26-001 Kantoorpand Zuidas', '€39,854.50']));
    expect(within(row).getByText('€39,854.50').className).toContain('num');
    expect(within(row).getByRole('checkbox', { name: 'Select PO 20011 · Bouwmaterialen Groothandel Koster B.V.' })).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'Retry PO 20011 · Bouwmaterialen Groothandel Koster B.V.' })).toBeTruthy();
    // The value waiting, on the screen and on its group.
    expect(screen.getByTestId('waiting-summary').textContent).toMatch(/^1 record waiting, worth €39,854\.50; the oldest since .+\(today\)\.$/);
    expect(screen.getByRole('region', { name: /not linked to a Procore vendor/ }).textContent).toContain('worth €39,854.50');
    expect(document.body.textContent).not.toMatch(GUID);
  });

  it('opens the record as labelled fields and lines; the raw JSON only under "Technical details"', async () => {
    renderWithStores(<PendingScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'PO 20011 · Bouwmaterialen Groothandel Koster B.V.' }));
    const view = screen.getByRole('group', { name: 'PO 20011 · Bouwmaterialen Groothandel Koster B.V.' });
    expect(within(view).getByText('Not in Procore yet: the Exact Online document as read.')).toBeTruthy();
    const fields = within(view).getByRole('table', { name: /^Fields of/ });
    expect(within(fields).getByRole('rowheader', { name: 'Supplier / vendor' }).closest('tr')!.textContent).toContain('40030 Bouwmaterialen Groothandel Koster B.V.');
    expect(within(fields).getByRole('rowheader', { name: 'Total excl. VAT' }).closest('tr')!.textContent).toContain('€39,854.50');
    expect(within(view).getByRole('region', { name: /^Lines of/ }).textContent).toContain('Regel 2');
    const technical = view.querySelector('details')!;
    expect(technical.open).toBe(false);
    expect(within(technical).getByText('Technical details').tagName).toBe('SUMMARY');
    expect(technical.querySelector('pre')!.textContent).toContain('"number": "20011"');
  });
});

describe('Audit history names documents and target documents', () => {
  // happy-dom lays nothing out: give the virtualised grid a window of rows to render.
  const sizes = { clientHeight: 600, clientWidth: 1200 } as const;
  const originals = Object.fromEntries(Object.keys(sizes).map((k) => [k, Object.getOwnPropertyDescriptor(Element.prototype, k)!]));
  beforeEach(() => {
    for (const [key, size] of Object.entries(sizes))
      Object.defineProperty(HTMLElement.prototype, key, {
        configurable: true,
        get(this: HTMLElement) {
          return this.classList.contains('grid-scroll') ? size : (originals[key]!.get!.call(this) as number);
        },
      });
  });
  afterEach(() => {
    for (const key of Object.keys(sizes)) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[key];
  });

  it('lists the document and the target document by name, no guid, and no detail panel until an entry is opened', async () => {
    renderWithStores(<AuditScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audit entries' });
    await waitFor(() => expect(within(grid).getAllByRole('row').length).toBeGreaterThan(3));
    expect(within(grid).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['#', 'Time', 'Document', 'Result', 'Target document', 'Amount', 'Message']);
    const written = within(grid).getByRole('row', { name: /written to Procore as commitment 562949953421312/ });
    expect(within(written).getAllByRole('gridcell').map((c) => c.textContent)).toEqual([
      '3',
      expect.any(String),
      'PO 20001 · Betonstaal Vlaanderen NV',
      'written',
      'commitment 562949953421312',
      '€1,250.00',
      'Purchase order 20001 written to Procore as commitment 562949953421312',
    ]);
    // A parked entry shows the record's amount.
    expect(within(within(grid).getByRole('row', { name: /waits: Supplier 40030/ })).getByText('€39,854.50')).toBeTruthy();
    expect(grid.textContent).not.toMatch(GUID);
    expect(screen.queryByRole('complementary')).toBeNull();
  });

  it('opens an entry as Exact beside Procore, agreeing, with differences marked when there are any', async () => {
    renderWithStores(<AuditScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audit entries' });
    fireEvent.click(await within(grid).findByRole('row', { name: /written to Procore as commitment/ }));
    const detail = await screen.findByRole('complementary', { name: 'Details of entry 3' });
    await within(detail).findByText('Exact Online and Procore agree on every compared field and line.');
    expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe('Entry #3 · PO 20001 · Betonstaal Vlaanderen NV');
    expect(detail.textContent).toContain('written (ok) → Procore commitment 20001 (id 562949953421312)');
    const fields = within(detail).getByRole('table', { name: /^Fields of/ });
    expect(within(fields).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Field', 'Exact Online', 'Procore']);
    const lines = within(detail).getByRole('region', { name: /^Lines of/ });
    expect(lines.textContent).toContain('cost code 03-300 · cost type M');
    expect(detail.querySelectorAll('[data-differs]')).toHaveLength(0);
    expect(detail.querySelector('details')!.open).toBe(false);
  });

  it('highlights a difference and says it in words', async () => {
    // The order changed in Exact after it was written: a line amount and the total differ.
    const changed = { ...writtenPo, lines: [writtenPo.lines[0]!, { ...writtenPo.lines[1]!, amount: '275.00', unitPrice: '275.00' }] };
    const plan = planPurchaseOrder(writtenPo, mappings, ref, DEFAULT_POLICY);
    if (!plan.ok) throw new Error('planned');
    ctx.store.audit.append({ flow: FLOW, runId: 'run-2', entity: 'purchase-order', sourceId: writtenPo.sourceId, step: 'fetched', status: 'ok', mappingVersion: 1, targetSystem: 'procore', targetId: '562949953421312', amount: null, currency: null, sourceSnapshot: changed as unknown as JsonValue, targetPayload: plan.writes[0] as unknown as JsonValue, result: null, message: 'Purchase order 20001 read from the source', label: purchaseOrderLabel(changed) });
    renderWithStores(<AuditScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audit entries' });
    fireEvent.click(await within(grid).findByRole('row', { name: /^4 / }));
    const detail = await screen.findByRole('complementary', { name: 'Details of entry 4' });
    await within(detail).findByText('2 differences between Exact Online and Procore, highlighted below.');
    const marked = [...detail.querySelectorAll('[data-differs]')].map((c) => c.textContent);
    expect(marked).toEqual(expect.arrayContaining([`€1,275.00 (differs in Procore)`, `€1,250.00 (differs in Exact Online)`, `€275.00 (differs in Procore)`]));
  });
});

describe('Dashboard shows the money', () => {
  it('per flow, per project and per supplier, the value waiting and its age, and the value each run wrote', async () => {
    renderWithStores(<DashboardScreen />);
    const money = await screen.findByText((_, el) => el?.tagName === 'DD' && el.textContent === '€1,250.00 in 1 document');
    expect(money).toBeTruthy();
    expect(screen.getByRole('link', { name: /^€39,854\.50 in 1 record, the oldest since .+ \(today\)$/ })).toBeTruthy();
    expect(screen.getByRole('link', { name: /^€39,854\.50 waiting, the oldest today$/ })).toBeTruthy();
    const byProject = screen.getByRole('table', { name: /^By project/ });
    expect(within(byProject).getByRole('rowheader', { name: 'P26-001 Kantoorpand Zuidas' }).closest('tr')!.textContent).toBe('P26-001 Kantoorpand Zuidas€1,250.001€39,854.501');
    const bySupplier = screen.getByRole('table', { name: /^By supplier/ });
    expect(within(bySupplier).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['Bouwmaterialen Groothandel Koster B.V.', 'Betonstaal Vlaanderen NV']);
    const run = screen.getByRole('cell', { name: 'partial' }).closest('tr')!;
    expect(within(run).getByText('€1,250.00')).toBeTruthy();
  });
});

it('amounts are formatted from exact decimals in the user locale (nl-NL: € 39.854,50)', async () => {
  const { formatMoney } = await import('../../src-shared/domain/labels');
  expect(formatMoney('39854.50', 'EUR', 'nl-NL')).toBe(`€${NBSP}39.854,50`);
});
